/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef GW_CFG_H
#define GW_CFG_H

/*
 * The gateway's configuration: one libconfig file parsed into one typed
 * struct.  cfg_load() never touches DPDK (ipsecgw --check uses it alone).
 * Every error is one line "FILE:LINE: what is wrong (the value)".
 * Not thread-safe; the result is read-only once loaded.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/gw_addr.h"
#include "common/gw_esp.h"
#include "common/gw_sa.h"

enum {
	CFG_NAME_MAX = 32,		/* interface names, incl. NUL */
	CFG_PORT_MAX = 64,		/* DPDK device names, incl. NUL */
	CFG_MAX_IFACES = 8,
	CFG_MAX_IFACE_ADDRS = 4,
	CFG_MAX_ROUTES = 4096,
	CFG_MAX_NEIGHBORS = 1024,
	CFG_MAX_EAL_ARGS = 64,
	CFG_MAX_WORKERS = 16,
	CFG_ERR_MAX = 512,
};

struct cfg_iface {
	char name[CFG_NAME_MAX];		/* "outside" */
	char port[CFG_PORT_MAX];		/* DPDK device name or PCI address */
	struct gw_prefix addrs[CFG_MAX_IFACE_ADDRS];	/* host bits = our address */
	unsigned n_addrs;
	uint16_t mtu;				/* 0 = device default */
	uint16_t vlan;				/* 802.1Q VLAN id, 0 = untagged */
	int line;
};

/*
 * VLAN sub-interfaces: interfaces may share a port when each has its own
 * `vlan` (1..CFG_VLAN_MAX), with at most one untagged interface (no
 * `vlan`) per port.  (port, vlan) is unique.
 */
enum { CFG_VLAN_MAX = 4094 };

struct cfg_route {
	struct gw_prefix prefix;		/* host bits clear */
	struct gw_addr via;			/* family 0 = on-link */
	int iface;				/* index into ifaces, -1 = by via */
	int line;
};

struct cfg_neighbor {
	struct gw_addr addr;
	struct gw_mac mac;
	int iface;				/* index into ifaces */
	int line;
};

struct cfg_telemetry {
	char socket_group[CFG_NAME_MAX];	/* "" = leave as created */
	unsigned socket_mode;			/* e.g. 0660; read from a base-8 string */
	bool has_mode;
};

enum {
	CFG_PATH_MAX = 256,
	CFG_URL_MAX = 256,
	CFG_MAX_IDENTITIES = 4,
	CFG_MAX_TRUSTPOINTS = 16,
	CFG_MAX_CRL_URLS = 4,
};

/* pki.identities[]: our certificate and key, one per key type. */
struct cfg_identity {
	char cert[CFG_PATH_MAX];		/* absolute (relative = to the config's dir) */
	char key[CFG_PATH_MAX];
	char chain[CFG_PATH_MAX];		/* "" = none */
	char key_passphrase_file[CFG_PATH_MAX];	/* "" = key not encrypted */
	int line;
};

enum cfg_revocation {
	CFG_REVOCATION_NONE,
	CFG_REVOCATION_CRL,
};

/* pki.trustpoints[] */
struct cfg_trustpoint {
	char name[CFG_NAME_MAX];
	char ca[CFG_PATH_MAX];			/* PEM: root and intermediates */
	enum cfg_revocation revocation_check;	/* default CRL */
	char crl_urls[CFG_MAX_CRL_URLS][CFG_URL_MAX];
	unsigned n_crl_urls;
	char crl_delta_urls[CFG_MAX_CRL_URLS][CFG_URL_MAX];
	unsigned n_crl_delta_urls;
	bool crl_prefetch;			/* default true when crl_urls given */
	uint32_t crl_refresh_interval;		/* s, default 3600 */
	uint32_t crl_min_download_interval;	/* s, default 60 */
	uint32_t crl_download_timeout;		/* s, default 10 */
	uint32_t crl_max_size;			/* bytes, default 64 MiB */
	char crl_cache_dir[CFG_PATH_MAX];	/* default /var/lib/ipsecgw/crl */
	bool hold_is_revoked;			/* default true */
	int line;
};

struct cfg_pki {
	struct cfg_identity identities[CFG_MAX_IDENTITIES];
	unsigned n_identities;
	struct cfg_trustpoint trustpoints[CFG_MAX_TRUSTPOINTS];
	unsigned n_trustpoints;
	uint32_t expiry_warning_days;		/* certificates; default 30, 0 = off */
	uint32_t crl_warning_hours;		/* CRL nextUpdate; default 12, 0 = off */
};

enum {
	CFG_MAX_MANUAL_SAS = 256,
	CFG_MAX_POLICIES = 1024,
	CFG_MAX_TS = GW_SA_MAX_TS,
};

/*
 * manual_sas[]: an SA pair keyed by hand (tests and labs without IKE).
 * Keys are wiped by cfg_free().  Manual AES-GCM is refused unless
 * allow_unsafe_manual_gcm is set: after a restart the sequence number
 * starts at 1 again with the same key, which reuses GCM nonces.
 */
struct cfg_manual_sa {
	char name[CFG_NAME_MAX];
	struct gw_addr local, remote;		/* tunnel endpoints, same family */
	struct gw_prefix local_ts[CFG_MAX_TS];	/* host bits clear */
	unsigned n_local_ts;
	struct gw_prefix remote_ts[CFG_MAX_TS];
	unsigned n_remote_ts;
	uint8_t alg;				/* enum esp_alg, from `esp` */
	uint32_t spi_in, spi_out;		/* >= 256 */
	uint8_t enc_key_in[GW_ESP_ENC_KEY_MAX], enc_key_out[GW_ESP_ENC_KEY_MAX];
	uint8_t enc_key_len;			/* gw_esp_enc_key_len(alg) */
	uint8_t auth_key_in[GW_ESP_AUTH_KEY_MAX], auth_key_out[GW_ESP_AUTH_KEY_MAX];
	uint8_t auth_key_len;			/* gw_esp_auth_key_len(alg), 0 for GCM */
	bool encap;				/* ESP in UDP 4500 -> encap_port */
	uint16_t encap_port;			/* the peer's port, default 4500 */
	bool esn;
	uint32_t replay_window;			/* default 64 */
	uint64_t lifetime_bytes;		/* hard, 0 = none; soft at 90 % */
	uint64_t lifetime_packets;
	bool allow_unsafe_manual_gcm;
	struct gw_tunnel_knobs knobs;		/* tcp_mss, mtu, df, dscp, ecn, ttl_decrement */
	int line;
};

enum cfg_policy_action {
	CFG_POLICY_BYPASS,
	CFG_POLICY_DISCARD,
};

/* policies[]: bypass / discard for every local_ts x remote_ts pair. */
struct cfg_policy {
	struct gw_prefix local_ts[CFG_MAX_TS];	/* host bits clear */
	unsigned n_local_ts;
	struct gw_prefix remote_ts[CFG_MAX_TS];
	unsigned n_remote_ts;
	enum cfg_policy_action action;
	int line;
};

/* crypto.ikev2: IKEv2 settings shared by every peer. */
struct cfg_ikev2 {
	bool disconnect_revoked_peers;		/* default false */
	uint32_t cookie_threshold;		/* half-open SAs before COOKIEs, default 512 */
	uint32_t max_half_open;			/* refuse beyond, default 8192 */
	uint32_t max_half_open_per_peer;	/* from one address, default 5 */
	uint32_t dpd_interval;			/* s, 0 = off, default 30 */
};

/* crypto.isakmp: IKEv1 settings shared by every peer. */
struct cfg_isakmp {
	bool disconnect_revoked_peers;		/* default false */
	uint32_t dpd_interval;			/* s, 0 = off, default 30 */
};

struct cfg_crypto {
	struct cfg_ikev2 ikev2;
	struct cfg_isakmp isakmp;
};

enum {
	CFG_MAX_PEERS = 256,
	CFG_MAX_PROPOSALS = 8,			/* per list */
	CFG_PROPOSAL_MAX = 128,			/* strongSwan proposal string, incl. NUL */
	CFG_ID_MAX = 256,			/* identity text, incl. NUL */
};

/* IKE identity types: the ID Type values of RFC 7296 3.5. */
enum cfg_id_type {
	CFG_ID_NONE = 0,			/* not configured */
	CFG_ID_IPV4 = 1,			/* ID_IPV4_ADDR */
	CFG_ID_FQDN = 2,			/* ID_FQDN */
	CFG_ID_RFC822 = 3,			/* ID_RFC822_ADDR (email) */
	CFG_ID_IPV6 = 5,			/* ID_IPV6_ADDR */
	CFG_ID_DN = 9,				/* ID_DER_ASN1_DN, written "CN=x, O=y" */
};

/*
 * An identity as strongSwan reads one: a DN when it has '=', an IPv4/IPv6
 * literal, an email when it has '@' after a local part, else an FQDN.
 * "fqdn:", "email:" (or "rfc822:"), "ipv4:" and "ipv6:" force the type;
 * a leading '@' forces an FQDN (strongSwan's "@host").
 */
struct cfg_id {
	enum cfg_id_type type;
	char value[CFG_ID_MAX];			/* without prefix or leading '@' */
	struct gw_addr addr;			/* CFG_ID_IPV4 / CFG_ID_IPV6 */
};

enum cfg_initiate {
	CFG_INITIATE_NONE,			/* respond only */
	CFG_INITIATE_START,			/* bring the SAs up at start */
	CFG_INITIATE_TRAP,			/* on the first packet matching the selectors */
};

/*
 * peers[]: one IKE peer with its CHILD SA.  Proposals are kept as written
 * (validated with gw_ike_proposal_parse(); controlplane/ike/ike_proposal.h
 * parses them again).  Names are unique among peers and manual SAs.
 */
struct cfg_peer {
	char name[CFG_NAME_MAX];
	uint8_t ike_version;			/* 1 or 2, default 2 */
	bool remote_any;			/* remote = "any": responder only */
	struct gw_addr remote;			/* family 0 when remote_any */
	struct cfg_id remote_id;		/* required with remote_any; NONE = any */
	struct cfg_id local_id;			/* NONE = our certificate's subject DN */
	char trustpoint[CFG_NAME_MAX];		/* a pki.trustpoints[] name */
	unsigned trustpoint_idx;		/* its index in pki.trustpoints */
	char ike_proposals[CFG_MAX_PROPOSALS][CFG_PROPOSAL_MAX];
	unsigned n_ike_proposals;
	char esp_proposals[CFG_MAX_PROPOSALS][CFG_PROPOSAL_MAX];
	unsigned n_esp_proposals;
	struct gw_prefix local_ts[CFG_MAX_TS];	/* host bits clear, one family */
	unsigned n_local_ts;
	struct gw_prefix remote_ts[CFG_MAX_TS];	/* local_ts's family */
	unsigned n_remote_ts;
	enum cfg_initiate initiate;		/* default none */
	uint32_t ike_lifetime;			/* s, default 86400 */
	uint32_t child_lifetime;		/* s, default 3600, below ike_lifetime */
	bool encap;				/* force UDP encapsulation (default false) */
	struct gw_tunnel_knobs knobs;		/* tcp_mss, mtu, df, dscp, ecn, ttl_decrement */
	int line;
};

/*
 * punt = { neigh_pps; ike_pps; ike_new_pps; other_pps; }: the packets per
 * second the workers together may punt to the control plane, per class
 * (split evenly over the workers), 1..CFG_PUNT_PPS_MAX each.  The classes,
 * in the order the control plane serves them, X(NAME, name, default pps):
 *   neigh    ARP and ND;
 *   ike      IKE whose SPI (ours) the gateway knows: live sessions;
 *   other    ICMP to us, IP fragments to us, TTL expired, no route,
 *            neighbour miss, too big;
 *   ike_new  every other IKE datagram (IKE_SA_INIT, IKEv1 Main Mode's
 *            first message, unknown SPIs, too short): the untrusted class.
 * The data plane's punt classes (dataplane/dp.h) come from this list.
 */
#define CFG_PUNT_CLASSES(X) \
	X(NEIGH, neigh, 5000) \
	X(IKE, ike, 20000) \
	X(OTHER, other, 10000) \
	X(IKE_NEW, ike_new, 10000)

enum cfg_punt_class {
#define X(U, l, d) CFG_PUNT_##U,
	CFG_PUNT_CLASSES(X)
#undef X
	CFG_PUNT_MAX
};

enum { CFG_PUNT_PPS_MAX = 100000000 };

struct cfg_punt {
	uint32_t pps[CFG_PUNT_MAX];		/* by enum cfg_punt_class; 0 = default */
};

/* The default rate of class c (CFG_PUNT_CLASSES), 0 for no such class. */
uint32_t cfg_punt_default_pps(unsigned c);
/* "neigh", "ike", "other", "ike_new"; "?" for no such class. */
const char *cfg_punt_class_name(unsigned c);

/*
 * events = { syslog = true; syslog_socket = "/dev/log"; }: structured
 * events (sessions, revocations, CRLs, audit of telemetry commands; see
 * common/gw_event.h) also go to syslog (default) as datagrams to
 * syslog_socket; they always go to the DPDK log.
 */
#define CFG_EVENTS_SOCKET_DEFAULT "/dev/log"
struct cfg_events {
	bool syslog;				/* default true */
	char syslog_socket[108];		/* absolute path, sun_path size */
};

/*
 * capture = { dir; max_bytes; mbufs; }: packet capture to pcapng files
 * through telemetry (cfg_capture.c, controlplane/cp_capture.c).
 */
#define CFG_CAPTURE_DIR_DEFAULT "/var/lib/ipsecgw/capture"
enum {
	CFG_CAPTURE_MAX_BYTES_DEFAULT = 1 << 30,	/* the largest file a capture may ask for */
	CFG_CAPTURE_MIN_BYTES = 4096,
	CFG_CAPTURE_MBUFS_DEFAULT = 4096,		/* capture pool and ring */
	CFG_CAPTURE_MBUFS_MIN = 32,
	CFG_CAPTURE_MBUFS_MAX = 1 << 20,
};
struct cfg_capture {
	char dir[CFG_PATH_MAX];			/* absolute, no trailing '/' */
	uint32_t max_bytes;			/* cap of one capture's max_bytes */
	uint32_t mbufs;				/* 0 = no capture pool */
};

struct gw_cfg {
	char path[256];
	char *eal_argv[CFG_MAX_EAL_ARGS];	/* strdup'd; freed by cfg_free() */
	int eal_argc;
	unsigned workers;			/* worker lcores, >= 1 */
	int log_level;				/* RTE_LOG_* value */
	bool worker_idle_backoff;		/* labs: sleep when idle (RCU offline) */
	unsigned mbuf_data_size;		/* bytes of packet data per mbuf */
	struct cfg_iface ifaces[CFG_MAX_IFACES];
	unsigned n_ifaces;
	struct cfg_route *routes;		/* malloc'd array */
	unsigned n_routes;
	struct cfg_neighbor *neighbors;		/* malloc'd array */
	unsigned n_neighbors;
	struct cfg_telemetry telemetry;
	struct cfg_punt punt;			/* optional "punt" group; defaults */
	struct cfg_events events;		/* optional "events" group; defaults */
	struct cfg_capture capture;		/* optional "capture" group; defaults */
	struct cfg_pki pki;			/* optional "pki" group */
	struct cfg_manual_sa *manual_sas;	/* malloc'd array; keys wiped by cfg_free */
	unsigned n_manual_sas;
	struct cfg_policy *policies;		/* malloc'd array */
	unsigned n_policies;
	bool bench_no_replay_check;		/* benchmarks only: "benchmark_no_replay_check" */
	struct cfg_crypto crypto;		/* optional "crypto" group; defaults */
	struct cfg_peer *peers;			/* malloc'd array */
	unsigned n_peers;
};

/*
 * Load and validate path into *cfg.  Returns 0, or -1 with one line
 * "FILE:LINE: what is wrong (the value)" in err (no trailing newline).
 * On failure *cfg holds nothing that needs freeing.
 */
int cfg_load(const char *path, struct gw_cfg *cfg, char *err, size_t errlen);
/* Same from a string (tests, fuzzing); name is used as FILE in errors. */
int cfg_load_string(const char *text, const char *name, struct gw_cfg *cfg,
		    char *err, size_t errlen);
void cfg_free(struct gw_cfg *cfg);

/* "ipv4", "ipv6", "fqdn", "email", "dn" or "none". */
const char *cfg_id_type_name(enum cfg_id_type type);

/* Index of the peer named name, or -1. */
int cfg_peer_find(const struct gw_cfg *cfg, const char *name);

/* Index of the interface named name, or -1. */
int cfg_iface_find(const struct gw_cfg *cfg, const char *name);

/* NULL when name is a valid object name (1 to CFG_NAME_MAX - 1 characters
 * of A-Z a-z 0-9 _ -), else what is wrong with it. */
const char *cfg_validate_name(const char *name);

#endif /* GW_CFG_H */
