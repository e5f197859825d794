// bpf_conformance's prime.data (a trial division loop, 655 instructions a
// run) as a tc program, instruction for instruction, so that the kernel runs
// exactly what the VM runs in bench/compiler.ts.

#define SEC(name) __attribute__((section(name), used))

SEC("tc")
__attribute__((naked)) int prime(void)
{
	asm volatile(
		"r1 = 67;"
		"r0 = 1;"
		"r2 = 2;"
		"if r1 > 2 goto 4f;"
		"1: goto 5f;"
		"2: r2 += 1;"
		"r0 = 1;"
		"if r2 >= r1 goto 5f;"
		"4: r3 = r1;"
		"r3 /= r2;"
		"r3 *= r2;"
		"r4 = r1;"
		"r4 -= r3;"
		"r0 = 0;"
		"if r4 != 0 goto 2b;"
		"5: exit;"
		::: "memory");
}

char _license[] SEC("license") = "GPL";
