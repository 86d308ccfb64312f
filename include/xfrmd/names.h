/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * names.h: names for raw kernel values kept in the model (mode, proto, dir, action, encap).
 * Each returns NULL for a value it does not know, so callers render the number instead.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

const char *xd_name_mode(uint8_t mode);
const char *xd_name_proto(uint8_t proto);   /* IPsec protocols: esp, ah, comp, ... */
const char *xd_name_l4proto(uint8_t proto); /* selector protocols: tcp, udp, icmp, ... */
const char *xd_name_policy_dir(uint8_t dir);
const char *xd_name_policy_action(uint8_t action);
const char *xd_name_encap(uint16_t type);
const char *xd_name_sa_dir(uint8_t dir);
const char *xd_name_default_action(uint8_t action);

/* Format an address of the given family into buf ("192.0.2.1", "2001:db8::1"). */
const char *xd_addr_fmt(const void *addr16, uint16_t family, char *buf, size_t len);
/* Format "addr/prefix". */
const char *xd_prefix_fmt(const void *addr16, uint16_t family, uint8_t plen, char *buf,
			  size_t len);

/* Flag bit names, for rendering flag lists. */
struct xd_flag_name {
	uint32_t bit;
	const char *name;
};
extern const struct xd_flag_name xd_sa_flag_names[];
extern const struct xd_flag_name xd_sa_extra_flag_names[];
extern const struct xd_flag_name xd_policy_flag_names[];
