// Sending an Ethernet frame out of an interface of a network namespace, with
// an AF_PACKET socket (Node has none).
#pragma once
#include <node_api.h>

napi_value packet_send(napi_env env, napi_callback_info info);
