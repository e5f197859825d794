// Loaded programs: their identity and BPF_PROG_TEST_RUN.
#pragma once
#include <node_api.h>

// Wraps an owned program file descriptor (closed on failure).
napi_value new_program_handle(napi_env env, int fd, const char *subject);

napi_value program_info(napi_env env, napi_callback_info info);
napi_value test_run(napi_env env, napi_callback_info info);
napi_value close_program(napi_env env, napi_callback_info info);
