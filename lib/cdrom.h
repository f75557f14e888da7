/* SPDX-License-Identifier: GPL-2.0 */
/* Eject a CD/DVD (CDROMEJECT: musl's headers lack linux/cdrom.h). */
#ifndef LIVE_CDROM_H
#define LIVE_CDROM_H

/* Open dev (O_NONBLOCK: no medium needed) and eject its tray; 0 or -errno. */
int cdrom_eject(const char *dev);

#endif
