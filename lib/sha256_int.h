/* SPDX-License-Identifier: GPL-2.0 */
/* Between sha256.c and the per-architecture compression functions. */
#ifndef LIVE_SHA256_INT_H
#define LIVE_SHA256_INT_H

#include <stddef.h>
#include <stdint.h>

typedef void (*sha256_compress_fn)(uint32_t st[8], const uint8_t *p, size_t blocks);

extern const uint32_t sha256_k[64];
/* The CPU's own SHA-256 instructions when it has them, else NULL. */
sha256_compress_fn sha256_arch_compress(void);

#endif
