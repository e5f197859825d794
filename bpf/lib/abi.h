/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The datapath's ABI in each object's BTF, which bpf/gen-abi.ts turns into
 * src/abi/generated.ts. BTF keeps no #define, so shared constants are enums,
 * and clang writes only the types something uses: ABI_TYPE() declares a
 * variable of the type in .eb_abi, a section neither libbpf nor the VM loads,
 * so that the type lands in BTF while code, maps and .rodata stay as they are. */
#pragma once

#define ABI_TYPE(type, name) static const type eb_abi_##name __attribute__((section(".eb_abi"), used))
