// Postern's configuration: a JSON file validated as a whole. Every problem is reported with the
// field's path and the reason; nothing runs on a config with errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "detect/detect_config.hpp"
#include "filestore/store_config.hpp"
#include "output/redis_config.hpp"
#include "share/share_config.hpp"

namespace postern::config {

enum class Mode { Tap, Inline };
enum class FullPolicy { Drop, Wait };  // what RX does on a full ring, workers on a full queue
// stream.checksum_validation, as Suricata's: yes drops every segment whose checksum fails, no
// none, auto those of a sender whose earlier packets had right checksums (engine/inspector.cpp).
enum class ChecksumValidation { Auto, Yes, No };

struct Port {
    std::string name;    // in_iface in EVE and the port label in metrics
    std::string device;  // a DPDK vdev ("net_pcap0,rx_pcap=x.pcap") or a PCI address
    uint16_t rx_queues = 1;
    uint16_t rx_descriptors = 1024;
    std::string peer;  // inline mode: the port a frame received here leaves on (by name)
    // A capture port's whole packets, counted before the run (not read from JSON): it ends when
    // it has delivered them all.
    std::optional<uint64_t> capture_packets;
    bool is_pci() const;
    // The rx_pcap file of a net_pcap vdev without infinite_rx, or "": such a port ends.
    std::string capture_file() const;
};

struct Lcores {
    unsigned control = 0;
    std::vector<unsigned> rx{1};
    std::vector<unsigned> workers{2};
};

struct Timeouts {  // seconds of inactivity, by state (Suricata's flow-timeouts)
    uint32_t tcp_new = 30;
    uint32_t tcp_established = 600;
    uint32_t tcp_closed = 10;
    uint32_t udp = 60;
};

// Inline mode (docs/deployment.md#inline-mode): what happens when Postern cannot inspect.
enum class OverloadPolicy { Forward, Drop };      // a worker's ring is full: fail open or closed
enum class ExceptionPolicy { Forward, DropFlow };  // a flow's state is lost (table full, no parser slot)
struct Inline {
    bool forward_uninspected = true;  // ARP, LLDP, ICMP, undecodable frames: forwarded unchanged
    OverloadPolicy on_overload = OverloadPolicy::Forward;
    ExceptionPolicy on_exception = ExceptionPolicy::Forward;
    uint32_t tx_retries = 4;          // extra rte_eth_tx_burst calls before a frame is counted lost
    uint32_t test_slow_worker_us = 0; // tests only: each worker packet takes this long (overload tests)
};

// Flow bypass: a flow that can yield nothing more skips reassembly and the app layer.
struct Bypass {
    bool tls = true;               // implicit TLS, and STARTTLS once both sides spoke TLS records
    bool failed_detection = true;  // payload that is no known protocol
    uint64_t inspection_depth = 0; // bytes per direction inspected at most; 0: all
};

struct Rules {
    std::vector<std::string> files;  // rule files or folders of *.json (relative: to the config's folder)
    uint32_t threshold_entries = 4096;  // per worker: "N hits within T seconds" trackers
};

// The control plane's HTTP server (docs/api.md).
struct Api {
    std::string listen = "127.0.0.1:8080";  // ADDR:PORT; "" or "off" disables; port 0 picks one
    std::string token_file;  // bearer token for mutating calls, first line of this file
    std::string token_env;   // or: the name of an environment variable holding it
    uint32_t max_body_bytes = 1u << 20;  // larger request bodies get 413
    uint32_t max_header_bytes = 8192;    // larger request headers get 431
    uint32_t max_connections = 16;       // more concurrent connections get 503
    uint32_t request_timeout_ms = 5000;  // to read a request or write a response
    // The API's reads that show mail contents (alerts, flows, status, stats, rules) need the token
    // too; /metrics and the health checks stay open.
    bool read_token_required = false;
    std::string token;  // resolved at start-up from token_file/token_env; never read from JSON
};

struct Config {
    Mode mode = Mode::Tap;
    Inline inline_mode;  // the `inline` section
    bool simulate_ips = false;  // --simulate-ips: verdicts as inline (EVE says blocked), nothing sent
    bool verdicts_enforced() const { return mode == Mode::Inline || simulate_ips; }
    Bypass bypass;
    std::vector<std::string> eal_args;  // used when the command line gives none
    std::vector<Port> ports;
    Lcores lcores;
    uint16_t burst = 32;
    uint32_t ring_size = 4096;  // per (RX lcore, worker); a power of two
    FullPolicy on_ring_full = FullPolicy::Drop;
    uint32_t mbufs = 65535;
    uint32_t mbuf_cache = 256;
    uint16_t mbuf_data_room = 2048 + 128;
    uint32_t max_flows_per_worker = 65536;
    Timeouts timeouts;
    uint32_t max_held_segments_per_flow = 64;  // per direction
    uint32_t max_held_segments_per_worker = 8192;
    uint32_t max_app_sessions_per_worker = 1024;  // mail sessions parsed at once
    // A parser slot is taken back for a new session from one idle this long, or from one that
    // has shown payload in one direction only for one_sided_timeout (seconds, capture time).
    uint32_t app_idle_timeout = 120;
    uint32_t app_one_sided_timeout = 30;
    ChecksumValidation checksum_validation = ChecksumValidation::Auto;
    uint64_t flow_hash_seed = 0;  // 0: a random key per run (flow.hash_seed, for reproducible tests)
    // IP reassembly (per RX lcore): datagrams and fragments held, and how long one may take.
    uint32_t defrag_max_datagrams = 4096;
    uint32_t defrag_max_fragments = 16384;
    uint32_t defrag_timeout = 30;
    bool stream_digest = false;  // FNV-1a digest of each reassembled direction in flow records
    uint32_t idle_sleep_us = 0;  // 0: pure busy polling (production); >0 sleeps when idle
    std::string eve_log = "eve.json";  // a path or "-" for stdout
    uint32_t stats_interval = 10;      // seconds between EVE stats records; 0 disables
    uint32_t event_queue_bytes = 4u << 20;  // per worker
    FullPolicy on_event_queue_full = FullPolicy::Drop;
    uint8_t file_hashes = 0;  // output.files.hashes: proto::FileHash bits for attachments and messages
    bool hash_messages = true;  // output.files.hash_messages: false hashes attachments only
    filestore::StoreConfig file_store;  // output.files.store: extraction
    output::RedisConfig redis;  // output.redis: EVE records to Redis too
    uint32_t eve_types = ~0u;  // bit (1 << output::EveType) set: that type is written to the EVE log
    bool eve_type_enabled(unsigned type) const { return type < 32 && (eve_types >> type & 1u); }
    Rules rules;
    detect::DetectConfig detect;  // behavioural detector thresholds (docs/detections.md)
    share::ShareConfig history_share;  // detect.history.share: history across appliances (docs/scale-out.md)
    Api api;
    std::string config_dir = ".";  // where relative paths in the file are resolved
};

struct LoadResult {
    Config config;
    std::vector<std::string> errors;  // "field.path: reason"
    bool ok() const { return errors.empty(); }
};

// Parses JSON text and checks each field (types, ranges, unknown keys). `base_dir` resolves
// relative paths (rx_pcap files). Cross-field checks are validate()'s, run by the caller once
// command-line overrides (-r, --workers) have been applied.
LoadResult parse_config(const std::string &json_text, const std::string &base_dir);
LoadResult load_config_file(const std::string &path);

// Cross-field checks: ports present, lcore roles distinct, enough mbufs, sizes consistent.
void validate(const Config &c, std::vector<std::string> &errors);

}  // namespace postern::config
