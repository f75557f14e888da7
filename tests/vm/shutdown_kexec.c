// SPDX-License-Identifier: GPL-2.0
/*
 * tests/vm/shutdown.sh's guest helper: kexec_file_load(2) KERNEL INITRD CMDLINE, what
 * `kexec -s -l` does, so that the kexec verb of the shutdown program can be tested
 * without kexec-tools in the image. Static (musl), copied onto the persistence disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int kfd, ifd;

	if (argc != 4) {
		fprintf(stderr, "usage: %s KERNEL INITRD CMDLINE\n", argv[0]);
		return 2;
	}
	kfd = open(argv[1], O_RDONLY | O_CLOEXEC);
	ifd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (kfd < 0 || ifd < 0) {
		fprintf(stderr, "kexec-load: %s: %s\n", kfd < 0 ? argv[1] : argv[2], strerror(errno));
		return 1;
	}
	if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(argv[3]) + 1, argv[3], 0UL) < 0) {
		fprintf(stderr, "kexec-load: kexec_file_load: %s\n", strerror(errno));
		return 1;
	}
	printf("kexec-load: loaded %s\n", argv[1]);
	return 0;
}
