#include "errors.h"

#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// libbpf reports the cause of most failures (a pinned map that does not match,
// a relocation it cannot resolve) only through its print callback: keep the
// warnings of the current call so that the error can carry them.
static char messages[16384];
static size_t messages_length;

void libbpf_messages_reset(void)
{
	messages_length = 0;
	messages[0] = '\0';
}

static int collect(enum libbpf_print_level level, const char *format, va_list args)
{
	if (level != LIBBPF_WARN || messages_length >= sizeof(messages) - 1)
		return 0;
	int written = vsnprintf(messages + messages_length, sizeof(messages) - messages_length, format, args);
	if (written > 0)
		messages_length += (size_t)written;
	if (messages_length > sizeof(messages) - 1)
		messages_length = sizeof(messages) - 1;
	return 0;
}

void libbpf_messages_install(void)
{
	libbpf_set_print(collect);
}

void set_string(napi_env env, napi_value object, const char *key, const char *value)
{
	napi_value string;
	napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &string);
	napi_set_named_property(env, object, key, string);
}

napi_value errno_error(napi_env env, const char *op, int err, const char *subject)
{
	char description[128], text[1024];
	if (err < 0)
		err = -err;
	libbpf_strerror(err, description, sizeof(description));
	snprintf(text, sizeof(text), "%s%s%s: %s", op, subject ? " " : "", subject ? subject : "", description);

	napi_value message, error, number;
	napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
	napi_create_error(env, NULL, message, &error);
	napi_create_int32(env, err, &number);
	napi_set_named_property(env, error, "errno", number);
	set_string(env, error, "op", op);
	set_string(env, error, "libbpfMessages", messages);
	return error;
}

napi_value throw_errno(napi_env env, const char *op, int err, const char *subject)
{
	napi_throw(env, errno_error(env, op, err, subject));
	return NULL;
}
