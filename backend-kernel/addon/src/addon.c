// ebbflow's Node-API addon over libbpf: the kernel backend's access to BPF
// objects, maps and programs. backend-kernel/libbpf.ts is its only caller and
// gives it types; see there for the meaning of each function.
#include <bpf/libbpf.h>
#include <node_api.h>

#include "attach.h"
#include "errors.h"
#include "map.h"
#include "object.h"
#include "packet.h"
#include "program.h"
#include "values.h"

static napi_value num_possible_cpus(napi_env env, napi_callback_info info)
{
	napi_value result;
	napi_create_int32(env, libbpf_num_possible_cpus(), &result);
	return result;
}

static napi_value libbpf_version(napi_env env, napi_callback_info info)
{
	return make_string(env, libbpf_version_string());
}

static napi_value init(napi_env env, napi_value exports)
{
	static const struct {
		const char *name;
		napi_callback function;
	} functions[] = {
		{"openObject", open_object},
		{"objectPrograms", object_programs},
		{"objectMaps", object_maps},
		{"objectVariables", object_variables},
		{"setMapMaxEntries", set_map_max_entries},
		{"mapInitialValue", map_initial_value},
		{"setMapInitialValue", set_map_initial_value},
		{"setMapPinPath", set_map_pin_path},
		{"unpinMap", unpin_map},
		{"loadObject", load_object},
		{"objectMap", object_map},
		{"objectProgram", object_program},
		{"closeObject", close_object},
		{"openPinnedMap", open_pinned_map},
		{"mapInfo", map_info},
		{"mapLookup", map_lookup},
		{"mapUpdate", map_update},
		{"mapDelete", map_delete},
		{"mapNextKey", map_next_key},
		{"mapDrainRingbuf", map_drain_ringbuf},
		{"closeMap", close_map},
		{"programInfo", program_info},
		{"testRun", test_run},
		{"closeProgram", close_program},
		{"tcAttach", tc_attach},
		{"xdpAttach", xdp_attach},
		{"cgroupAttach", cgroup_attach},
		{"tcDetach", tc_detach},
		{"xdpDetach", xdp_detach},
		{"cgroupDetach", cgroup_detach},
		{"cgroupQuery", cgroup_query},
		{"packetSend", packet_send},
		{"numPossibleCpus", num_possible_cpus},
		{"libbpfVersion", libbpf_version},
	};
	libbpf_messages_install();
	for (size_t i = 0; i < sizeof(functions) / sizeof(functions[0]); i++) {
		napi_value function;
		napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].function, NULL, &function);
		napi_set_named_property(env, exports, functions[i].name, function);
	}
	return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
