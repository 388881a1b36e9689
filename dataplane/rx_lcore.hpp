// An RX lcore: polls its port queues in bursts, decodes L2-L4 into the mbuf's private area,
// joins IP fragments (rx_defrag.hpp), hashes each flow symmetrically with the run's key and
// enqueues to the owning worker's ring. What it must report (overlapping fragments) goes to the
// control plane over its own event channel.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "config/config.hpp"
#include "counters.hpp"
#include "net/flow_key.hpp"
#include "output/json_writer.hpp"
#include "pipeline/event_channel.hpp"
#include "packet_meta.hpp"
#include "rx_defrag.hpp"
#include "tx_stage.hpp"
#include "shared_state.hpp"

namespace postern::dataplane {

struct RxQueue {
    uint16_t port = 0;
    uint16_t queue = 0;
    uint64_t expected_packets = 0;  // a capture file's packet count; 0 for live ports
    bool is_capture = false;        // ends when the file has been read
    bool capture_timestamps = false; // mbufs carry the pcap timestamp (ns) in a dynfield
};

struct RxSetup {
    unsigned id = 0;
    std::vector<RxQueue> queues;
    std::vector<rte_ring *> rings;  // one per worker, indexed by worker
    const config::Config *config = nullptr;
    SharedState *shared = nullptr;
    int timestamp_offset = -1;      // the rx timestamp dynfield, when registered
    uint64_t timestamp_flag = 0;
    const net::FlowHasher *hasher = nullptr;  // the run's keyed flow hash
    rte_mempool *pool = nullptr;              // for reassembled datagrams
    pipeline::EventChannel *channel = nullptr;  // decoder anomalies to the control plane
    std::vector<std::string> port_names;      // in_iface by port id
    // Inline mode: each port's peer by port id, and this lcore's TX queue on every port.
    bool inline_mode = false;
    std::vector<uint16_t> peer_of;
    uint16_t tx_queue = 0;
};

class RxLcore {
public:
    explicit RxLcore(RxSetup setup);
    static constexpr unsigned kMaxWorkers = 64;
    int run();
    const RxCounters &counters() const { return counters_; }
    const net::DefragStats &defrag_stats() const { return defrag_.stats(); }

private:
    uint16_t poll(RxQueue &q);
    bool capture_finished(const RxQueue &q);
    void enqueue(unsigned worker, rte_mbuf **pkts, unsigned n);
    uint64_t wall_ns();
    // A fragment: into the reassembly table; returns the completed datagram, or nullptr.
    rte_mbuf *reassemble(rte_mbuf *m, PacketMeta &meta);
    // An EVE anomaly record of the decoder (no flow: fragments carry no ports).
    void report_decoder_anomaly(const PacketMeta &meta, std::string_view event);

    // Inline: sends a frame RX does not hand to a worker on to the port's peer.
    void forward(rte_mbuf *m);

    RxSetup setup_;
    RxCounters counters_;  // before tx_, which points at its counters
    TxStage tx_;
    RxDefrag defrag_;
    std::unique_ptr<char[]> render_buf_;
    output::JsonWriter writer_;
    std::vector<rte_mbuf *> staged_;  // per-worker staging of one burst, allocated once
    uint64_t tsc_hz_ = 0;
    uint64_t tsc_base_ = 0;
    uint64_t wall_base_ns_ = 0;
};

}  // namespace postern::dataplane
