// A BPF ELF object: open, inspect, configure before load, load, close.
#pragma once
#include <node_api.h>

napi_value open_object(napi_env env, napi_callback_info info);
napi_value object_programs(napi_env env, napi_callback_info info);
napi_value object_maps(napi_env env, napi_callback_info info);
napi_value object_variables(napi_env env, napi_callback_info info);
napi_value set_map_max_entries(napi_env env, napi_callback_info info);
napi_value map_initial_value(napi_env env, napi_callback_info info);
napi_value set_map_initial_value(napi_env env, napi_callback_info info);
napi_value set_map_pin_path(napi_env env, napi_callback_info info);
napi_value unpin_map(napi_env env, napi_callback_info info);
napi_value load_object(napi_env env, napi_callback_info info);
napi_value object_map(napi_env env, napi_callback_info info);
napi_value object_program(napi_env env, napi_callback_info info);
napi_value close_object(napi_env env, napi_callback_info info);
