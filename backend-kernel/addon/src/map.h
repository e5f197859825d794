// Maps from the host: lookup, update, delete, iterate, per-CPU values,
// ring buffer records.
#pragma once
#include <node_api.h>

// Wraps an owned map file descriptor (closed on failure); `subject` (its
// name or pin path) names it in errors.
napi_value new_map_handle(napi_env env, int fd, const char *subject);

napi_value open_pinned_map(napi_env env, napi_callback_info info);
napi_value map_info(napi_env env, napi_callback_info info);
napi_value map_lookup(napi_env env, napi_callback_info info);
napi_value map_update(napi_env env, napi_callback_info info);
napi_value map_delete(napi_env env, napi_callback_info info);
napi_value map_next_key(napi_env env, napi_callback_info info);
napi_value map_drain_ringbuf(napi_env env, napi_callback_info info);
napi_value close_map(napi_env env, napi_callback_info info);
