{
  "targets": [
    {
      "target_name": "ebbflow_libbpf",
      "sources": [
        "src/addon.c",
        "src/errors.c",
        "src/values.c",
        "src/object.c",
        "src/map.c",
        "src/program.c",
        "src/attach.c",
        "src/netns.c",
        "src/packet.c"
      ],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror", "-pthread"],
      "libraries": ["<!@(pkg-config --libs libbpf)", "-pthread"],
      "defines": ["NAPI_VERSION=8"]
    },
    {
      "target_name": "ebbflow-peer",
      "type": "executable",
      "sources": ["src/peer.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror"]
    },
    {
      "target_name": "ebbflow-inject",
      "type": "executable",
      "sources": ["src/inject.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror"]
    }
  ]
}
