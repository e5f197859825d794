// Running a call inside a network namespace. A netlink or packet socket
// belongs to the namespace of the thread that opened it, and Node's main
// thread stays where it is: each call runs on a short-lived thread that
// enters the namespace first.
#pragma once

// Runs run(arg, step) on a thread inside the namespace at the path `netns`
// and returns what it returned: 0, or a positive errno with *step naming what
// failed (run sets it for its own steps).
int run_in_netns(const char *netns, int (*run)(void *arg, const char **step), void *arg, const char **step);
