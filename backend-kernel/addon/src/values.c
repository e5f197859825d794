#include "values.h"

#include "errors.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool get_args(napi_env env, napi_callback_info info, size_t count, napi_value *args)
{
	libbpf_messages_reset();
	size_t given = count;
	napi_get_cb_info(env, info, &given, args, NULL, NULL);
	if (given < count) {
		napi_throw_type_error(env, NULL, "too few arguments");
		return false;
	}
	return true;
}

bool is_nullish(napi_env env, napi_value value)
{
	napi_valuetype type;
	napi_typeof(env, value, &type);
	return type == napi_null || type == napi_undefined;
}

static void throw_type(napi_env env, const char *what, const char *expected)
{
	char message[256];
	snprintf(message, sizeof(message), "%s must be %s", what, expected);
	napi_throw_type_error(env, NULL, message);
}

char *get_string(napi_env env, napi_value value, const char *what)
{
	size_t length;
	if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) {
		throw_type(env, what, "a string");
		return NULL;
	}
	char *string = malloc(length + 1);
	napi_get_value_string_utf8(env, value, string, length + 1, &length);
	if (strlen(string) != length) {
		free(string);
		throw_type(env, what, "a string without NUL characters");
		return NULL;
	}
	return string;
}

bool get_bytes(napi_env env, napi_value value, const char *what, void **data, size_t *length)
{
	bool is_typedarray = false;
	napi_typedarray_type type;
	napi_is_typedarray(env, value, &is_typedarray);
	if (!is_typedarray ||
	    napi_get_typedarray_info(env, value, &type, length, data, NULL, NULL) != napi_ok ||
	    type != napi_uint8_array) {
		throw_type(env, what, "a Uint8Array");
		return false;
	}
	return true;
}

bool get_u32(napi_env env, napi_value value, const char *what, uint32_t *out)
{
	if (napi_get_value_uint32(env, value, out) != napi_ok) {
		throw_type(env, what, "a number");
		return false;
	}
	return true;
}

napi_value make_bytes(napi_env env, const void *data, size_t length)
{
	napi_value buffer;
	napi_create_buffer_copy(env, length, data, NULL, &buffer);
	return buffer;
}

napi_value make_string(napi_env env, const char *value)
{
	napi_value string;
	napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &string);
	return string;
}

napi_value make_null(napi_env env)
{
	napi_value null;
	napi_get_null(env, &null);
	return null;
}

napi_value make_array(napi_env env)
{
	napi_value array;
	napi_create_array(env, &array);
	return array;
}

napi_value append_object(napi_env env, napi_value list)
{
	uint32_t length;
	napi_value object;
	napi_get_array_length(env, list, &length);
	napi_create_object(env, &object);
	napi_set_element(env, list, length, object);
	return object;
}

void set_value(napi_env env, napi_value object, const char *key, napi_value value)
{
	napi_set_named_property(env, object, key, value);
}

void set_u32(napi_env env, napi_value object, const char *key, uint32_t value)
{
	napi_value number;
	napi_create_uint32(env, value, &number);
	napi_set_named_property(env, object, key, number);
}

void set_bool(napi_env env, napi_value object, const char *key, bool value)
{
	napi_value boolean;
	napi_get_boolean(env, value, &boolean);
	napi_set_named_property(env, object, key, boolean);
}

void set_type_name(napi_env env, napi_value object, const char *name)
{
	set_string(env, object, "type", name ? name : "unknown");
}

void *get_handle(napi_env env, napi_value value, enum handle_kind kind)
{
	static const char *names[] = {"an object handle", "a map handle", "a program handle"};
	const char *name = kind == OBJECT_HANDLE ? names[0] : kind == MAP_HANDLE ? names[1] : names[2];
	napi_valuetype type;
	void *data = NULL;
	napi_typeof(env, value, &type);
	if (type == napi_external)
		napi_get_value_external(env, value, &data);
	if (data == NULL || *(enum handle_kind *)data != kind) {
		throw_type(env, "handle", name);
		return NULL;
	}
	bool closed = kind == OBJECT_HANDLE ? ((struct object_handle *)data)->object == NULL
		    : kind == MAP_HANDLE    ? ((struct map_handle *)data)->fd < 0
					    : ((struct program_handle *)data)->fd < 0;
	if (closed) {
		napi_throw_error(env, "ECLOSED", "the handle is closed");
		return NULL;
	}
	return data;
}

napi_value make_handle(napi_env env, void *handle, napi_finalize finalize)
{
	napi_value external;
	napi_create_external(env, handle, finalize, NULL, &external);
	return external;
}

bool get_fd_info(napi_env env, int fd, void *info, uint32_t size, const char *kind, const char *subject)
{
	char op[32];
	int err = errno;
	if (fd < 0) {
		snprintf(op, sizeof(op), "open %s", kind);
	} else if (bpf_obj_get_info_by_fd(fd, info, &size)) {
		err = errno;
		close(fd);
		snprintf(op, sizeof(op), "%s info", kind);
	} else {
		return true;
	}
	throw_errno(env, op, err, subject);
	return false;
}

void *get_args_handle(napi_env env, napi_callback_info info, size_t count, napi_value *args, enum handle_kind kind)
{
	return get_args(env, info, count, args) ? get_handle(env, args[0], kind) : NULL;
}

void *get_only_handle(napi_env env, napi_callback_info info, enum handle_kind kind)
{
	napi_value args[1];
	return get_args_handle(env, info, 1, args, kind);
}
