/* Node-API helper of the VM: asks Linux to back a WebAssembly memory with
 * transparent huge pages (madvise MADV_HUGEPAGE).
 *
 * Large maps make every lookup a TLB miss on 4 KiB pages, and under nested
 * paging a miss costs as much as the lookup. The kernel keeps its own BPF
 * maps in memory mapped with huge pages; this gives the VM's maps the same.
 *
 * V8 reserves a 32-bit memory's whole address range when it creates the
 * memory and grows it in place, so one advice over that range also covers
 * the pages it grows into. */
#include <errno.h>
#include <node_api.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* adviseHugePages(buffer, bytes): 0, or the errno of madvise. */
static napi_value advise_huge_pages(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2], result;
	void *data;
	size_t length;
	double bytes;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start;
	int error = 0;

	if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2 ||
	    napi_get_arraybuffer_info(env, argv[0], &data, &length) != napi_ok ||
	    napi_get_value_double(env, argv[1], &bytes) != napi_ok || bytes < (double)length) {
		napi_throw_type_error(env, NULL, "adviseHugePages(buffer, bytes): an ArrayBuffer and its reserved size");
		return NULL;
	}
	start = (uintptr_t)data & ~(page - 1);
	if (madvise((void *)start, (size_t)bytes, MADV_HUGEPAGE) != 0)
		error = errno;
	napi_create_int32(env, error, &result);
	return result;
}

NAPI_MODULE_INIT()
{
	napi_value function;

	napi_create_function(env, "adviseHugePages", NAPI_AUTO_LENGTH, advise_huge_pages, NULL, &function);
	napi_set_named_property(env, exports, "adviseHugePages", function);
	return exports;
}
