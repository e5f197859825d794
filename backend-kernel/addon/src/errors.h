// Errors thrown to JavaScript: the kernel's errno, the operation, and what
// libbpf printed while it ran.
#pragma once
#include <node_api.h>

// Starts collecting libbpf's warnings afresh (get_args calls it), so that an
// error carries only the messages of its own call.
void libbpf_messages_reset(void);

// Installs the collector as libbpf's print function.
void libbpf_messages_install(void);

// An Error with `errno` (positive), `op` and `libbpfMessages`; `subject`
// (a path, an object or map name) is named in the message when given.
napi_value errno_error(napi_env env, const char *op, int err, const char *subject);

// Throws errno_error(...) and returns NULL, so that callers can
// `return throw_errno(...)`.
napi_value throw_errno(napi_env env, const char *op, int err, const char *subject);

// Sets a string property on an object being built for JavaScript.
void set_string(napi_env env, napi_value object, const char *key, const char *value);
