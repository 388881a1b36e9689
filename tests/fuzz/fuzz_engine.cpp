// libFuzzer target: a worker's whole path without DPDK, driven by adversarial packet sequences:
// decode -> IP reassembly -> keyed flow hash -> flow table -> checksums -> TCP session and stream
// ordering -> protocol identification -> mail parsers -> detectors -> rules -> EVE records.
// Invariants: no crash or sanitizer finding, every EVE record is valid JSON, and once every flow
// has ended no payload buffer is still referenced.
//
// Input: one config byte, then records [length: 2 bytes big-endian][time step: 1 byte][frame].
// Seeds are frames of testbed captures (scripts/pcap_to_fuzz_seed.py).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "engine/inspector.hpp"
#include "net/defrag.hpp"
#include "net/flow_key.hpp"
#include "rules/loader.hpp"

namespace {

using namespace postern;

// A payload buffer with a reference count: what an mbuf is in the dataplane.
struct Buffer {
    std::vector<uint8_t> bytes;
    int refs = 1;
};

struct Buffers {
    std::deque<Buffer> all;
    int errors = 0;
    Buffer &make(const uint8_t *p, size_t n) {
        Buffer &b = all.emplace_back();
        b.bytes.assign(p, p + n);
        return b;
    }
    static void retain(void *, void *h) { ++static_cast<Buffer *>(h)->refs; }
    static void release(void *, void *h) {
        if (--static_cast<Buffer *>(h)->refs < 0) std::abort();
    }
    bool all_released() const {
        for (const auto &b : all)
            if (b.refs != 0) return false;
        return true;
    }
};

class JsonCheck final : public inspect::RecordOutput, public inspect::SummaryOutput {
public:
    JsonCheck() : buf_(1 << 16), writer_(buf_.data(), buf_.size()) {}
    output::JsonWriter &begin_record() override {
        writer_.reset();
        return writer_;
    }
    void commit_record(output::EveType) override {
        if (writer_.overflowed()) return;
        if (!nlohmann::json::accept(std::string_view(buf_.data(), writer_.size()))) std::abort();
    }
    void push_summary(const detect::SessionSummary &) override {}

private:
    std::vector<char> buf_;
    output::JsonWriter writer_;
};

std::shared_ptr<const rules::RuleSet> g_rules;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    // The shipped rules, when the runner says where they are: matching is part of the path.
    if (const char *dir = std::getenv("POSTERN_FUZZ_RULES")) {
        rules::LoadOptions o;
        o.compile.scratch_slots = 1;
        rules::LoadReport r = rules::load_rule_files({dir}, o);
        if (r.ok()) g_rules = r.set;
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    config::Config c;
    c.max_flows_per_worker = 64;
    c.max_held_segments_per_flow = 8;
    c.max_held_segments_per_worker = 64;
    c.max_app_sessions_per_worker = 8;
    c.app_idle_timeout = 5;
    c.app_one_sided_timeout = 2;
    c.stream_digest = data[0] & 1;
    c.checksum_validation = static_cast<config::ChecksumValidation>((data[0] >> 1) % 3);
    const std::vector<std::string> ports = {"fuzz0"};
    Buffers buffers;
    JsonCheck out;
    engine::WorkerCounters counters;
    engine::InspectorSetup setup;
    setup.config = &c;
    setup.port_names = &ports;
    setup.segment_ops = {nullptr, &Buffers::retain, &Buffers::release};
    setup.records = &out;
    setup.summaries = &out;
    setup.counters = &counters;
    {
        engine::Inspector inspector(setup);
        if (g_rules && (data[0] & 8)) inspector.bind_rules(g_rules.get(), g_rules->worker_scratch(0));
        net::DefragLimits dl;
        dl.max_datagrams = 8, dl.max_fragments = 64, dl.max_fragments_per_datagram = 32, dl.timeout_ns = 2'000'000'000;
        net::Defragmenter defrag(dl, {nullptr, &Buffers::retain, &Buffers::release});
        net::Reassembled done;
        const net::FlowHasher hasher(7);
        std::vector<stream::SegmentRef> pieces(64);
        uint64_t now = 1'700'000'000'000'000'000ull;
        size_t at = 1;
        while (at + 3 <= size) {
            const size_t len = size_t{data[at]} << 8 | data[at + 1];
            now += uint64_t{data[at + 2]} * 10'000'000;  // 10 ms steps
            at += 3;
            if (len > size - at) break;
            Buffer &frame = buffers.make(data + at, len);
            at += len;
            engine::Packet p;
            net::DecodeResult r = net::decode_packet(frame.bytes.data(), len, p.view);
            Buffer *whole = &frame;
            if (r == net::DecodeResult::Ipv4Fragment || r == net::DecodeResult::Ipv6Fragment) {
                net::Fragment f;
                r = net::DecodeResult::Count;
                if (net::parse_fragment(frame.bytes.data(), len, len, p.view, f) == net::FragmentParse::Ok) {
                    f.handle = &frame;
                    if (defrag.add(f, now, done) == net::DefragResult::Complete) {
                        // The fuzzer joins the datagram in one buffer (the dataplane chains mbufs).
                        std::vector<uint8_t> joined(done.first.frame, done.first.frame + done.first.header_len);
                        for (const auto &piece : done.pieces) joined.insert(joined.end(), piece.data, piece.data + piece.len);
                        for (const auto &piece : done.pieces) Buffers::release(nullptr, piece.handle);
                        uint8_t *ip = joined.data() + done.first.l3_offset;
                        const size_t l3 = done.first.header_len - done.first.l3_offset;
                        if (done.first.family == net::IpFamily::V4 && l3 + done.total_len <= 0xFFFF) {
                            ip[2] = static_cast<uint8_t>((l3 + done.total_len) >> 8), ip[3] = static_cast<uint8_t>(l3 + done.total_len);
                            ip[6] = ip[7] = 0;
                        } else if (done.first.family == net::IpFamily::V6) {
                            ip[4] = static_cast<uint8_t>((l3 - 40 + done.total_len) >> 8), ip[5] = static_cast<uint8_t>(l3 - 40 + done.total_len);
                            joined[done.first.next_header_at] = done.first.proto;
                        }
                        whole = &buffers.make(joined.data(), joined.size());
                        r = net::decode_packet(whole->bytes.data(), whole->bytes.size(), p.view);
                    }
                }
            }
            if (r == net::DecodeResult::Ok) {
                p.frame = whole->bytes.data();
                p.wire_len = static_cast<uint32_t>(whole->bytes.size());
                p.ts_ns = now;
                p.hash = hasher(p.view.tuple);
                // The payload in up to three pieces, cut where the frame's bytes say.
                uint32_t off = p.view.payload_offset, left = p.view.payload_len, n = 0;
                while (left && n < 3) {
                    uint32_t take = n == 2 ? left : 1 + whole->bytes[off % whole->bytes.size()] % left;
                    pieces[n++] = {whole, whole->bytes.data() + off, take};
                    off += take, left -= take;
                }
                p.pieces = pieces.data();
                p.piece_count = n;
                inspector.on_packet(p, now);
            }
            if (whole != &frame) Buffers::release(nullptr, whole);
            Buffers::release(nullptr, &frame);
            inspector.expire(now);
            defrag.expire(now);
        }
        inspector.finish_all();
        defrag.clear();
    }
    if (!buffers.all_released()) std::abort();
    return 0;
}
