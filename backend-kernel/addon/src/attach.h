// Attaching loaded programs to their hooks: tc (clsact) and XDP on an
// interface of a given network namespace, and cgroup v2 socket hooks; and
// detaching each, only while the program a link attached is still there.
#pragma once
#include <node_api.h>

napi_value tc_attach(napi_env env, napi_callback_info info);
napi_value xdp_attach(napi_env env, napi_callback_info info);
napi_value cgroup_attach(napi_env env, napi_callback_info info);
napi_value tc_detach(napi_env env, napi_callback_info info);
napi_value xdp_detach(napi_env env, napi_callback_info info);
napi_value cgroup_detach(napi_env env, napi_callback_info info);
napi_value cgroup_query(napi_env env, napi_callback_info info);
