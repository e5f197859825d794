#include "program.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "values.h"

static void finalize_program(napi_env env, void *data, void *hint)
{
	struct program_handle *handle = data;
	if (handle->fd >= 0)
		close(handle->fd);
	free(handle);
}

napi_value new_program_handle(napi_env env, int fd, const char *subject)
{
	struct bpf_prog_info info = {0};
	if (!get_fd_info(env, fd, &info, sizeof(info), "program", subject))
		return NULL;
	struct program_handle *handle = malloc(sizeof(*handle));
	*handle = (struct program_handle){.kind = PROGRAM_HANDLE, .fd = fd, .type = info.type, .id = info.id};
	snprintf(handle->name, sizeof(handle->name), "%s", subject);
	return make_handle(env, handle, finalize_program);
}

// { name, type, id, fd }: the fd is what a program array stores.
napi_value program_info(napi_env env, napi_callback_info info)
{
	struct program_handle *program = get_only_handle(env, info, PROGRAM_HANDLE);
	if (!program)
		return NULL;
	napi_value result;
	napi_create_object(env, &result);
	set_string(env, result, "name", program->name);
	set_type_name(env, result, libbpf_bpf_prog_type_str(program->type));
	set_u32(env, result, "id", program->id);
	set_u32(env, result, "fd", (uint32_t)program->fd);
	return result;
}

// test_run(program, { data, ctx, dataOutCapacity, ctxOutCapacity, repeat, flags, cpu })
//   -> { retval, duration, data, ctx }
// data and ctx are Uint8Arrays or null; the outputs are null where no room was asked for.
napi_value test_run(napi_env env, napi_callback_info info)
{
	napi_value args[2], field, result = NULL;
	struct program_handle *program = get_args_handle(env, info, 2, args, PROGRAM_HANDLE);
	if (!program)
		return NULL;

	void *data_in = NULL, *ctx_in = NULL;
	size_t data_in_length = 0, ctx_in_length = 0;
	uint32_t data_out_capacity, ctx_out_capacity, repeat, flags, cpu;
	napi_get_named_property(env, args[1], "data", &field);
	if (!is_nullish(env, field) && !get_bytes(env, field, "data", &data_in, &data_in_length))
		return NULL;
	napi_get_named_property(env, args[1], "ctx", &field);
	if (!is_nullish(env, field) && !get_bytes(env, field, "ctx", &ctx_in, &ctx_in_length))
		return NULL;
	static const char *numbers[] = {"dataOutCapacity", "ctxOutCapacity", "repeat", "flags", "cpu"};
	uint32_t *targets[] = {&data_out_capacity, &ctx_out_capacity, &repeat, &flags, &cpu};
	for (size_t i = 0; i < 5; i++) {
		napi_get_named_property(env, args[1], numbers[i], &field);
		if (!get_u32(env, field, numbers[i], targets[i]))
			return NULL;
	}

	void *data_out = data_out_capacity ? malloc(data_out_capacity) : NULL;
	void *ctx_out = ctx_out_capacity ? malloc(ctx_out_capacity) : NULL;
	LIBBPF_OPTS(bpf_test_run_opts, options,
		    .data_in = data_in,
		    .data_size_in = (__u32)data_in_length,
		    .data_out = data_out,
		    .data_size_out = data_out_capacity,
		    .ctx_in = ctx_in,
		    .ctx_size_in = (__u32)ctx_in_length,
		    .ctx_out = ctx_out,
		    .ctx_size_out = ctx_out_capacity,
		    .repeat = (int)repeat,
		    .flags = flags,
		    .cpu = cpu);
	if (bpf_prog_test_run_opts(program->fd, &options)) {
		throw_errno(env, "test run", errno, program->name);
		goto out;
	}
	napi_create_object(env, &result);
	set_u32(env, result, "retval", options.retval);
	set_u32(env, result, "duration", options.duration);
	set_value(env, result, "data", data_out ? make_bytes(env, data_out, options.data_size_out) : make_null(env));
	set_value(env, result, "ctx", ctx_out ? make_bytes(env, ctx_out, options.ctx_size_out) : make_null(env));
out:
	free(data_out);
	free(ctx_out);
	return result;
}

// close_program(program)
napi_value close_program(napi_env env, napi_callback_info info)
{
	struct program_handle *program = get_only_handle(env, info, PROGRAM_HANDLE);
	if (!program)
		return NULL;
	close(program->fd);
	program->fd = -1;
	return NULL;
}
