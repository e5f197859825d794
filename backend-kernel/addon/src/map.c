#include "map.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "values.h"

static bool is_per_cpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

static void finalize_map(napi_env env, void *data, void *hint)
{
	struct map_handle *handle = data;
	ring_buffer__free(handle->ring);
	if (handle->fd >= 0)
		close(handle->fd);
	free(handle);
}

napi_value new_map_handle(napi_env env, int fd, const char *subject)
{
	struct bpf_map_info info = {0};
	if (!get_fd_info(env, fd, &info, sizeof(info), "map", subject))
		return NULL;
	struct map_handle *handle = malloc(sizeof(*handle));
	*handle = (struct map_handle){
		.kind = MAP_HANDLE,
		.fd = fd,
		.type = info.type,
		.key_size = info.key_size,
		.value_size = info.value_size,
		.max_entries = info.max_entries,
		.flags = info.map_flags,
		.id = info.id,
		.value_length = info.value_size,
	};
	snprintf(handle->name, sizeof(handle->name), "%s", subject);
	// The kernel copies per-CPU values for every possible CPU, each in an
	// 8-byte aligned slot.
	if (is_per_cpu(info.type))
		handle->value_length = (size_t)((info.value_size + 7) & ~7u) * libbpf_num_possible_cpus();
	return make_handle(env, handle, finalize_map);
}

// open_pinned_map(path)
napi_value open_pinned_map(napi_env env, napi_callback_info info)
{
	napi_value args[1];
	if (!get_args(env, info, 1, args))
		return NULL;
	char *path = get_string(env, args[0], "path");
	if (!path)
		return NULL;
	napi_value handle = new_map_handle(env, bpf_obj_get(path), path);
	free(path);
	return handle;
}

// { name, type, keySize, valueSize, maxEntries, flags, id, valueLength }
napi_value map_info(napi_env env, napi_callback_info info)
{
	struct map_handle *map = get_only_handle(env, info, MAP_HANDLE);
	if (!map)
		return NULL;
	napi_value result;
	napi_create_object(env, &result);
	set_string(env, result, "name", map->name);
	set_type_name(env, result, libbpf_bpf_map_type_str(map->type));
	set_u32(env, result, "keySize", map->key_size);
	set_u32(env, result, "valueSize", map->value_size);
	set_u32(env, result, "maxEntries", map->max_entries);
	set_u32(env, result, "flags", map->flags);
	set_u32(env, result, "id", map->id);
	set_u32(env, result, "valueLength", (uint32_t)map->value_length);
	return result;
}

// The map handle in args[0] and the key in args[1], checked against the map's key size.
static struct map_handle *get_map_and_key(napi_env env, napi_value *args, void **key)
{
	struct map_handle *map = get_handle(env, args[0], MAP_HANDLE);
	size_t length;
	if (!map || !get_bytes(env, args[1], "key", key, &length))
		return NULL;
	if (length != map->key_size) {
		napi_throw_range_error(env, NULL, "key length differs from the map's key size");
		return NULL;
	}
	return map;
}

// map_lookup(map, key): the value (every CPU's, for per-CPU maps), or null when absent.
napi_value map_lookup(napi_env env, napi_callback_info info)
{
	napi_value args[2], result;
	struct map_handle *map;
	void *key;
	if (!get_args(env, info, 2, args) || !(map = get_map_and_key(env, args, &key)))
		return NULL;
	void *value = malloc(map->value_length);
	if (bpf_map_lookup_elem(map->fd, key, value) == 0)
		result = make_bytes(env, value, map->value_length);
	else if (errno == ENOENT)
		result = make_null(env);
	else
		result = throw_errno(env, "lookup", errno, map->name);
	free(value);
	return result;
}

// map_update(map, key, value, flags): flags are BPF_ANY, BPF_NOEXIST or BPF_EXIST.
napi_value map_update(napi_env env, napi_callback_info info)
{
	napi_value args[4];
	struct map_handle *map;
	void *key, *value;
	size_t length;
	uint32_t flags;
	if (!get_args(env, info, 4, args) || !(map = get_map_and_key(env, args, &key)) ||
	    !get_bytes(env, args[2], "value", &value, &length) || !get_u32(env, args[3], "flags", &flags))
		return NULL;
	if (length != map->value_length) {
		napi_throw_range_error(env, NULL, "value length differs from the map's value length");
		return NULL;
	}
	if (bpf_map_update_elem(map->fd, key, value, flags))
		return throw_errno(env, "update", errno, map->name);
	return NULL;
}

// map_delete(map, key)
napi_value map_delete(napi_env env, napi_callback_info info)
{
	napi_value args[2];
	struct map_handle *map;
	void *key;
	if (!get_args(env, info, 2, args) || !(map = get_map_and_key(env, args, &key)))
		return NULL;
	if (bpf_map_delete_elem(map->fd, key))
		return throw_errno(env, "delete", errno, map->name);
	return NULL;
}

// map_next_key(map, key | null): the key after `key` (the first key for
// null), or null past the last one.
napi_value map_next_key(napi_env env, napi_callback_info info)
{
	napi_value args[2], result;
	struct map_handle *map;
	void *key = NULL;
	if (!get_args(env, info, 2, args))
		return NULL;
	if (is_nullish(env, args[1]))
		map = get_handle(env, args[0], MAP_HANDLE);
	else
		map = get_map_and_key(env, args, &key);
	if (!map)
		return NULL;
	void *next = malloc(map->key_size);
	if (bpf_map_get_next_key(map->fd, key, next) == 0)
		result = make_bytes(env, next, map->key_size);
	else if (errno == ENOENT)
		result = make_null(env);
	else
		result = throw_errno(env, "next key", errno, map->name);
	free(next);
	return result;
}

struct ring_drain {
	napi_env env;
	napi_value records; /* a JavaScript array */
	uint32_t count;
};

// libbpf's callback for each submitted record (it skips discarded ones):
// copied, because the ring's memory is reused once the drain moves past it.
static int take_record(void *context, void *data, size_t size)
{
	struct ring_drain *drain = ((struct map_handle *)context)->drain;
	napi_set_element(drain->env, drain->records, drain->count++, make_bytes(drain->env, data, size));
	return 0;
}

// map_drain_ringbuf(map): the records submitted since the last drain, oldest
// first. The reader is kept with the handle: its mappings and epoll fd are
// made once, and consecutive drains continue where the last one stopped (the
// consumer position itself lives in the map, shared by all its readers).
napi_value map_drain_ringbuf(napi_env env, napi_callback_info info)
{
	struct map_handle *map = get_only_handle(env, info, MAP_HANDLE);
	if (!map)
		return NULL;
	if (map->type != BPF_MAP_TYPE_RINGBUF)
		return throw_errno(env, "drain", EINVAL, map->name);
	if (!map->ring && !(map->ring = ring_buffer__new(map->fd, take_record, map, NULL)))
		return throw_errno(env, "open ring buffer", errno, map->name);

	struct ring_drain drain = {.env = env};
	drain.records = make_array(env);
	map->drain = &drain;
	int consumed = ring_buffer__consume(map->ring);
	map->drain = NULL;
	if (consumed < 0)
		return throw_errno(env, "drain", consumed, map->name);
	return drain.records;
}

// close_map(map)
napi_value close_map(napi_env env, napi_callback_info info)
{
	struct map_handle *map = get_only_handle(env, info, MAP_HANDLE);
	if (!map)
		return NULL;
	ring_buffer__free(map->ring);
	map->ring = NULL;
	close(map->fd);
	map->fd = -1;
	return NULL;
}
