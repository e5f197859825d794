// Converting between Node-API values and C, and the handles JavaScript holds.
// Every getter throws a TypeError naming `what` and returns false (or NULL)
// when the value has the wrong type: the TypeScript wrapper validates user
// input first, so these guard the native boundary only.
#pragma once
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Every exported function begins with get_args, which also starts a fresh
// collection of libbpf's messages (errors.h) for the call.
bool get_args(napi_env env, napi_callback_info info, size_t count, napi_value *args);
bool is_nullish(napi_env env, napi_value value);
char *get_string(napi_env env, napi_value value, const char *what); /* malloc'd */
bool get_bytes(napi_env env, napi_value value, const char *what, void **data, size_t *length);
bool get_u32(napi_env env, napi_value value, const char *what, uint32_t *out);

napi_value make_bytes(napi_env env, const void *data, size_t length);
napi_value make_string(napi_env env, const char *value);
napi_value make_null(napi_env env);
napi_value make_array(napi_env env);
// A new object appended to the array `list`, for the caller to fill.
napi_value append_object(napi_env env, napi_value list);
void set_u32(napi_env env, napi_value object, const char *key, uint32_t value);
void set_bool(napi_env env, napi_value object, const char *key, bool value);
void set_value(napi_env env, napi_value object, const char *key, napi_value value);
// Sets "type" to libbpf's name of a map or program type (NULL where this libbpf has none).
void set_type_name(napi_env env, napi_value object, const char *name);

// JavaScript holds objects, maps and programs as externals over these structs.
// `kind` tells them apart, so that a map handle passed where a program handle
// belongs is refused instead of misread.
enum handle_kind {
	OBJECT_HANDLE = 0x4f424a45,
	MAP_HANDLE = 0x4d415045,
	PROGRAM_HANDLE = 0x50524f47,
};

struct bpf_object;
struct ring_buffer;
struct ring_drain;

struct object_handle {
	enum handle_kind kind;
	struct bpf_object *object; /* NULL once closed */
};

struct map_handle {
	enum handle_kind kind;
	int fd; /* -1 once closed */
	uint32_t type, key_size, value_size, max_entries, flags, id;
	char name[64]; /* for errors: the name it was opened by */
	size_t value_length; /* value_size, or one 8-byte aligned slot per possible CPU */
	// RINGBUF maps: libbpf's reader, from the first drain until the handle
	// closes, and where the records of the drain under way go.
	struct ring_buffer *ring;
	struct ring_drain *drain;
};

struct program_handle {
	enum handle_kind kind;
	int fd; /* -1 once closed */
	uint32_t type, id;
	char name[64]; /* for errors: the name it was opened by */
};

// The open handle behind `value`, or NULL after throwing (wrong kind, or closed).
void *get_handle(napi_env env, napi_value value, enum handle_kind kind);
// get_args, then get_handle on args[0]: how a function acting on a handle begins.
void *get_args_handle(napi_env env, napi_callback_info info, size_t count, napi_value *args, enum handle_kind kind);
// The same for a function whose only argument is the handle.
void *get_only_handle(napi_env env, napi_callback_info info, enum handle_kind kind);

// Wraps a handle allocated with malloc; `finalize` releases it when
// JavaScript drops it without closing it.
napi_value make_handle(napi_env env, void *handle, napi_finalize finalize);

// The kernel's info (struct bpf_map_info or bpf_prog_info, `size` bytes) on
// the open map or program `fd` a new handle is to own. False after throwing
// ("open map", "program info", ... naming `subject`), with `fd` closed.
bool get_fd_info(napi_env env, int fd, void *info, uint32_t size, const char *kind, const char *subject);
