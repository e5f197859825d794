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
        "src/program.c"
      ],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror"],
      "libraries": ["<!@(pkg-config --libs libbpf)"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
