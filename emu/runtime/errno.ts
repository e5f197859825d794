// The kernel's error numbers, returned negated as helpers and map operations do.

export const EPERM: i64 = 1;
export const ENOENT: i64 = 2;
export const E2BIG: i64 = 7;
export const EAGAIN: i64 = 11;
export const ENOMEM: i64 = 12;
export const EFAULT: i64 = 14;
export const EBUSY: i64 = 16;
export const EEXIST: i64 = 17;
export const EINVAL: i64 = 22;
export const ENOSPC: i64 = 28;
export const EOPNOTSUPP: i64 = 95;
