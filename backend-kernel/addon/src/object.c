#include "object.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "map.h"
#include "program.h"
#include "values.h"

// Room for one program's verifier log. The kernel only writes it when a load
// fails (libbpf then retries with logging on), and malloc leaves untouched
// pages uncommitted, so a large buffer costs nothing on success.
#define VERIFIER_LOG_SIZE (16u << 20)

static void finalize_object(napi_env env, void *data, void *hint)
{
	struct object_handle *handle = data;
	bpf_object__close(handle->object);
	free(handle);
}

// open_object(source: string | Uint8Array, name: string | null, pinRoot: string | null)
napi_value open_object(napi_env env, napi_callback_info info)
{
	napi_value args[3], result = NULL;
	if (!get_args(env, info, 3, args))
		return NULL;
	char *name = NULL, *pin_root = NULL, *path = NULL;
	if (!is_nullish(env, args[1]) && !(name = get_string(env, args[1], "name")))
		goto out;
	if (!is_nullish(env, args[2]) && !(pin_root = get_string(env, args[2], "pinRoot")))
		goto out;

	LIBBPF_OPTS(bpf_object_open_opts, options, .object_name = name, .pin_root_path = pin_root);
	struct bpf_object *object;
	napi_valuetype type;
	napi_typeof(env, args[0], &type);
	if (type == napi_string) {
		if (!(path = get_string(env, args[0], "source")))
			goto out;
		object = bpf_object__open_file(path, &options);
	} else {
		void *data;
		size_t length;
		if (!get_bytes(env, args[0], "source", &data, &length))
			goto out;
		object = bpf_object__open_mem(data, length, &options);
	}
	if (!object) {
		throw_errno(env, "open", errno, path ? path : name);
		goto out;
	}

	struct object_handle *handle = malloc(sizeof(*handle));
	*handle = (struct object_handle){.kind = OBJECT_HANDLE, .object = object};
	result = make_handle(env, handle, finalize_object);
out:
	free(name);
	free(pin_root);
	free(path);
	return result;
}

// The map of the global data section that BTF type `id` describes, if it
// is one, and the section's name.
static struct bpf_map *datasec_map(struct bpf_object *object, struct btf *btf, __u32 id, const char **section)
{
	const struct btf_type *type = btf__type_by_id(btf, id);
	if (!btf_is_datasec(type))
		return NULL;
	*section = btf__name_by_offset(btf, type->name_off);
	return bpf_object__find_map_by_name(object, *section);
}

// The ELF section behind an internal (global data) map, found through BTF;
// libbpf's own name for it is prefixed with part of the object's name.
static const char *map_section(struct bpf_object *object, struct bpf_map *map)
{
	struct btf *btf = bpf_object__btf(object);
	if (!bpf_map__is_internal(map) || !btf)
		return bpf_map__name(map);
	const char *section;
	for (__u32 id = 1; id < btf__type_cnt(btf); id++)
		if (datasec_map(object, btf, id, &section) == map)
			return section;
	return bpf_map__name(map);
}

// [{ name, section, type, autoload }]
napi_value object_programs(napi_env env, napi_callback_info info)
{
	struct object_handle *handle = get_only_handle(env, info, OBJECT_HANDLE);
	if (!handle)
		return NULL;
	napi_value list = make_array(env);
	struct bpf_program *program;
	bpf_object__for_each_program(program, handle->object) {
		napi_value entry = append_object(env, list);
		set_string(env, entry, "name", bpf_program__name(program));
		set_string(env, entry, "section", bpf_program__section_name(program));
		set_type_name(env, entry, libbpf_bpf_prog_type_str(bpf_program__type(program)));
		set_bool(env, entry, "autoload", bpf_program__autoload(program));
	}
	return list;
}

// [{ name, type, keySize, valueSize, maxEntries, flags, internal, pinPath }]
napi_value object_maps(napi_env env, napi_callback_info info)
{
	struct object_handle *handle = get_only_handle(env, info, OBJECT_HANDLE);
	if (!handle)
		return NULL;
	napi_value list = make_array(env);
	struct bpf_map *map;
	bpf_object__for_each_map(map, handle->object) {
		const char *pin_path = bpf_map__pin_path(map);
		napi_value entry = append_object(env, list);
		set_string(env, entry, "name", map_section(handle->object, map));
		set_type_name(env, entry, libbpf_bpf_map_type_str(bpf_map__type(map)));
		set_u32(env, entry, "keySize", bpf_map__key_size(map));
		set_u32(env, entry, "valueSize", bpf_map__value_size(map));
		set_u32(env, entry, "maxEntries", bpf_map__max_entries(map));
		set_u32(env, entry, "flags", bpf_map__map_flags(map));
		set_bool(env, entry, "internal", bpf_map__is_internal(map));
		set_value(env, entry, "pinPath", pin_path ? make_string(env, pin_path) : make_null(env));
	}
	return list;
}

// The variables of the global data sections: [{ name, section, offset, size }]
napi_value object_variables(napi_env env, napi_callback_info info)
{
	struct object_handle *handle = get_only_handle(env, info, OBJECT_HANDLE);
	if (!handle)
		return NULL;
	napi_value list = make_array(env);
	struct btf *btf = bpf_object__btf(handle->object);
	if (!btf)
		return list;
	for (__u32 id = 1; id < btf__type_cnt(btf); id++) {
		const char *section;
		if (!datasec_map(handle->object, btf, id, &section))
			continue;
		const struct btf_type *type = btf__type_by_id(btf, id);
		const struct btf_var_secinfo *variable = btf_var_secinfos(type);
		for (__u16 i = 0; i < btf_vlen(type); i++, variable++) {
			const struct btf_type *var = btf__type_by_id(btf, variable->type);
			if (!btf_is_var(var))
				continue;
			napi_value entry = append_object(env, list);
			set_string(env, entry, "name", btf__name_by_offset(btf, var->name_off));
			set_string(env, entry, "section", section);
			set_u32(env, entry, "offset", variable->offset);
			set_u32(env, entry, "size", variable->size);
		}
	}
	return list;
}

// get_args, then the map named by args[1] of the object in args[0]; throws
// ENOENT naming the map.
static struct bpf_map *get_args_map(napi_env env, napi_callback_info info, size_t count, napi_value *args)
{
	struct object_handle *handle = get_args_handle(env, info, count, args, OBJECT_HANDLE);
	if (!handle)
		return NULL;
	char *name = get_string(env, args[1], "map");
	if (!name)
		return NULL;
	struct bpf_map *map = bpf_object__find_map_by_name(handle->object, name);
	if (!map)
		throw_errno(env, "find map", ENOENT, name);
	free(name);
	return map;
}

// set_map_max_entries(object, map, maxEntries)
napi_value set_map_max_entries(napi_env env, napi_callback_info info)
{
	napi_value args[3];
	struct bpf_map *map;
	uint32_t max_entries;
	if (!(map = get_args_map(env, info, 3, args)) ||
	    !get_u32(env, args[2], "maxEntries", &max_entries))
		return NULL;
	int err = bpf_map__set_max_entries(map, max_entries);
	return err ? throw_errno(env, "set max_entries", err, bpf_map__name(map)) : NULL;
}

// map_initial_value(object, map): a copy of a global data map's contents before load.
napi_value map_initial_value(napi_env env, napi_callback_info info)
{
	napi_value args[2];
	struct bpf_map *map;
	if (!(map = get_args_map(env, info, 2, args)))
		return NULL;
	size_t size;
	const void *value = bpf_map__initial_value(map, &size);
	if (!value)
		return throw_errno(env, "read initial value", EINVAL, bpf_map__name(map));
	return make_bytes(env, value, size);
}

// set_map_initial_value(object, map, bytes)
napi_value set_map_initial_value(napi_env env, napi_callback_info info)
{
	napi_value args[3];
	struct bpf_map *map;
	void *data;
	size_t length;
	if (!(map = get_args_map(env, info, 3, args)) ||
	    !get_bytes(env, args[2], "value", &data, &length))
		return NULL;
	int err = bpf_map__set_initial_value(map, data, length);
	return err ? throw_errno(env, "set initial value", err, bpf_map__name(map)) : NULL;
}

// set_map_pin_path(object, map, path | null)
napi_value set_map_pin_path(napi_env env, napi_callback_info info)
{
	napi_value args[3];
	struct bpf_map *map;
	char *path = NULL;
	if (!(map = get_args_map(env, info, 3, args)))
		return NULL;
	if (!is_nullish(env, args[2]) && !(path = get_string(env, args[2], "path")))
		return NULL;
	int err = bpf_map__set_pin_path(map, path);
	free(path);
	return err ? throw_errno(env, "set pin path", err, bpf_map__name(map)) : NULL;
}

// unpin_map(object, map): removes the map's pin from bpffs.
napi_value unpin_map(napi_env env, napi_callback_info info)
{
	napi_value args[2];
	struct bpf_map *map;
	if (!(map = get_args_map(env, info, 2, args)))
		return NULL;
	int err = bpf_map__unpin(map, NULL);
	return err ? throw_errno(env, "unpin", err, bpf_map__name(map)) : NULL;
}

// load_object(object): creates (or reuses pinned) maps and loads every program.
// On failure the error names the program the kernel refused and carries its
// verifier log.
napi_value load_object(napi_env env, napi_callback_info info)
{
	struct object_handle *handle = get_only_handle(env, info, OBJECT_HANDLE);
	if (!handle)
		return NULL;

	struct bpf_program *program;
	bpf_object__for_each_program(program, handle->object) {
		char *log = malloc(VERIFIER_LOG_SIZE);
		if (!log)
			continue; /* libbpf then prints the log, and the error's libbpfMessages carry it */
		log[0] = '\0';
		bpf_program__set_log_buf(program, log, VERIFIER_LOG_SIZE);
	}

	int err = bpf_object__load(handle->object);
	napi_value error = err ? errno_error(env, "load", err, bpf_object__name(handle->object)) : NULL;

	bpf_object__for_each_program(program, handle->object) {
		size_t size;
		char *log = (char *)bpf_program__log_buf(program, &size);
		if (error && log && log[0] != '\0') {
			set_string(env, error, "program", bpf_program__name(program));
			set_string(env, error, "verifierLog", log);
		}
		bpf_program__set_log_buf(program, NULL, 0);
		free(log);
	}
	if (error)
		napi_throw(env, error);
	return NULL;
}

// object_map(object, map): a handle on a loaded map, holding its own file
// descriptor so that it stays usable for as long as JavaScript keeps it.
napi_value object_map(napi_env env, napi_callback_info info)
{
	napi_value args[2];
	struct bpf_map *map;
	if (!(map = get_args_map(env, info, 2, args)))
		return NULL;
	int fd = bpf_map__fd(map);
	if (fd < 0)
		return throw_errno(env, "map fd", fd, bpf_map__name(map));
	return new_map_handle(env, dup(fd), bpf_map__name(map));
}

// object_program(object, program): a handle on a loaded program, with its own
// file descriptor.
napi_value object_program(napi_env env, napi_callback_info info)
{
	napi_value args[2];
	struct object_handle *handle = get_args_handle(env, info, 2, args, OBJECT_HANDLE);
	if (!handle)
		return NULL;
	char *name = get_string(env, args[1], "program");
	if (!name)
		return NULL;
	struct bpf_program *program = bpf_object__find_program_by_name(handle->object, name);
	napi_value result = NULL;
	if (!program)
		throw_errno(env, "find program", ENOENT, name);
	else if (bpf_program__fd(program) < 0)
		throw_errno(env, "program fd", bpf_program__fd(program), name);
	else
		result = new_program_handle(env, dup(bpf_program__fd(program)), name);
	free(name);
	return result;
}

// close_object(object): closes the object's maps and programs; map and
// program handles taken from it stay open until closed themselves.
napi_value close_object(napi_env env, napi_callback_info info)
{
	struct object_handle *handle = get_only_handle(env, info, OBJECT_HANDLE);
	if (!handle)
		return NULL;
	bpf_object__close(handle->object);
	handle->object = NULL;
	return NULL;
}
