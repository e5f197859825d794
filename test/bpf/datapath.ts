// What each committed datapath object holds: its programs (by function name)
// and the maps it creates, as bpf/README.md documents them.

import { fileURLToPath } from "node:url";

export const bpfDirectory = fileURLToPath(new URL("../../bpf/", import.meta.url));

export interface DatapathObject {
  file: string;
  programs: string[];
  maps: string[];
}

export const datapathObjects: DatapathObject[] = [
  {
    file: "bpf_lxc.o",
    programs: ["cil_from_container", "cil_to_container", "tail_ipv4_from_container", "tail_ipv4_to_container"],
    maps: [
      "eb_calls",
      "eb_ct4",
      "eb_events",
      "eb_ipcache",
      "eb_lb4_affinity",
      "eb_lb4_backends",
      "eb_lb4_maglev",
      "eb_lb4_reverse_nat",
      "eb_lb4_services",
      "eb_metrics",
      "eb_policy",
    ],
  },
  {
    file: "bpf_host.o",
    programs: ["cil_from_netdev", "cil_to_netdev"],
    maps: ["eb_ct4", "eb_events", "eb_ipcache", "eb_lb4_affinity", "eb_lb4_backends", "eb_lb4_maglev", "eb_lb4_reverse_nat", "eb_lb4_services", "eb_metrics"],
  },
  {
    file: "bpf_xdp.o",
    programs: ["cil_xdp_entry"],
    maps: ["eb_events", "eb_ipcache", "eb_metrics", "eb_prefilter4"],
  },
  {
    file: "bpf_sock.o",
    programs: ["cil_sock4_connect", "cil_sock4_recvmsg", "cil_sock4_sendmsg"],
    maps: [
      "eb_events",
      "eb_ipcache",
      "eb_lb4_affinity",
      "eb_lb4_backends",
      "eb_lb4_maglev",
      "eb_lb4_rev_sk",
      "eb_lb4_reverse_nat",
      "eb_lb4_services",
      "eb_metrics",
    ],
  },
];
