// Attaching loaded programs to their hooks: tc (clsact) and XDP on an
// interface of a given network namespace, and cgroup v2 socket hooks.
#pragma once
#include <node_api.h>

napi_value tc_attach(napi_env env, napi_callback_info info);
napi_value xdp_attach(napi_env env, napi_callback_info info);
napi_value cgroup_attach(napi_env env, napi_callback_info info);
