#include "synth/traffic.hpp"

#include <algorithm>
#include <iterator>
#include <memory>
#include <queue>
#include <stdexcept>

#include "synth/expected_writer.hpp"
#include "synth/payload_generator.hpp"
#include "synth/pcap_writer.hpp"

namespace postern::synth {

namespace {

// Salts that give each purpose its own random stream per flow: toggling an impairment must not
// change addresses or payloads.
constexpr uint64_t kSaltSchedule = 0x7363686564756C65ULL;
constexpr uint64_t kSaltFlow = 0x666C6F7700000000ULL;
constexpr uint64_t kSaltPayload = 0x7061796C6F616400ULL;
constexpr uint64_t kSaltTcp = 0x7463702D706C616EULL;
constexpr uint64_t kSaltPort = 0x706F72742D6175ULL;

constexpr uint32_t kFirstClientPort = 1024;
constexpr uint32_t kClientPorts = 65536 - kFirstClientPort;

// a * b mod m for a, b, m < 2^40 (hosts <= 2^24 times 64512 ports) without 128-bit types.
uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m) {
    const uint64_t hi = (a * (b >> 20)) % m;
    return ((hi << 20) % m + (a * (b & 0xFFFFF)) % m) % m;
}

uint64_t gcd(uint64_t a, uint64_t b) {
    while (b) {
        const uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

// Start times, window after window, in increasing order with increasing flow ids.
class Schedule {
public:
    explicit Schedule(const TrafficConfig &cfg) : cfg_(cfg) { fill(); }

    bool done() const { return stopped_; }
    uint64_t next_start() const { return starts_[pos_]; }
    uint64_t next_id() const { return id_; }
    void advance() {
        ++id_;
        if (++pos_ < starts_.size()) return;
        if (cfg_.target_bytes == 0) {
            stopped_ = true;
            return;
        }
        ++window_;
        fill();
    }
    void stop() { stopped_ = true; }

private:
    void fill() {
        Rng rng = Rng::derive(cfg_.seed ^ kSaltSchedule, window_);
        starts_.resize(cfg_.flows);
        const uint64_t base = cfg_.start_us + window_ * cfg_.duration_us;
        for (auto &s : starts_) s = base + rng.below(cfg_.duration_us);
        std::sort(starts_.begin(), starts_.end());
        pos_ = 0;
        stopped_ = starts_.empty();
    }

    const TrafficConfig &cfg_;
    std::vector<uint64_t> starts_;
    size_t pos_ = 0;
    uint64_t window_ = 0;
    uint64_t id_ = 0;
    bool stopped_ = false;
};

struct Live {
    SessionPlan plan;
    size_t next = 0;
    uint64_t id = 0;
};

struct HeapEntry {
    uint64_t ts;
    uint64_t id;  // tie-break: same input, same order
    uint32_t slot;
    bool operator>(const HeapEntry &o) const { return ts != o.ts ? ts > o.ts : id > o.id; }
};

class Generator {
public:
    Generator(const TrafficConfig &cfg, PcapWriter &pcap, ExpectedWriter *expected)
        : cfg_(cfg), pcap_(pcap), expected_(expected), schedule_(cfg) {
        for (const auto &name : cfg.payloads) {
            auto g = make_payload_generator(name);
            if (!g) throw std::invalid_argument("unknown payload generator '" + name + "'");
            generators_.push_back(std::move(g));
        }
        // Client endpoints: flow id -> (id * stride + offset) mod (hosts x ports) is a bijection, so
        // endpoints look shuffled yet never repeat within one capture's first hosts x 64512 flows.
        Rng r(cfg.seed ^ kSaltFlow);
        for (int f = 0; f < 2; ++f) {
            Endpoints &e = endpoints_[f];
            e.hosts = subnet_hosts(f ? cfg.client_v6 : cfg.client_v4);
            e.space = e.hosts * kClientPorts;
            e.offset = r.below(e.space);
            e.stride = r.between(e.space / 3, e.space - 1) | 1;
            while (gcd(e.stride, e.space) != 1) e.stride += 2;
        }
    }

    TrafficStats run();

private:
    FlowAddressing address(uint64_t id, bool v6, Rng &rng) const;
    void start_session(uint64_t id, uint64_t start_us);
    void emit(Live &live);

    const TrafficConfig &cfg_;
    PcapWriter &pcap_;
    ExpectedWriter *expected_;
    Schedule schedule_;
    std::vector<std::unique_ptr<PayloadGenerator>> generators_;
    struct Endpoints {
        uint64_t hosts, space, offset, stride;
    };
    Endpoints endpoints_[2];  // IPv4, IPv6
    std::vector<std::unique_ptr<Live>> live_;
    std::vector<uint32_t> free_;
    std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<>> heap_;
    Conversation conv_;
    TrafficStats stats_;
    uint64_t empty_run_ = 0;
};

FlowAddressing Generator::address(uint64_t id, bool v6, Rng &rng) const {
    const Subnet &cnet = v6 ? cfg_.client_v6 : cfg_.client_v4;
    const Subnet &snet = v6 ? cfg_.server_v6 : cfg_.server_v4;
    FlowAddressing a;
    a.family = v6 ? net::IpFamily::V6 : net::IpFamily::V4;
    const Endpoints &e = endpoints_[v6 ? 1 : 0];
    const uint64_t x = (mulmod(id % e.space, e.stride, e.space) + e.offset) % e.space;
    const uint64_t host = x % e.hosts;
    a.client_ip = subnet_host(cnet, host);
    a.client_port = static_cast<uint16_t>(kFirstClientPort + x / e.hosts);
    const uint64_t server = rng.below(std::min<uint64_t>(cfg_.servers, subnet_hosts(snet)));
    a.server_ip = subnet_host(snet, server);
    a.server_port = cfg_.ports[rng.below(cfg_.ports.size())];
    a.client_mac = {0x02, 0x00, 0x00, static_cast<uint8_t>(host >> 16), static_cast<uint8_t>(host >> 8),
                    static_cast<uint8_t>(host)};
    a.server_mac = {0x02, 0x00, 0x01, 0x00, static_cast<uint8_t>(server >> 8), static_cast<uint8_t>(server)};
    a.vlan = cfg_.vlan;
    if (cfg_.vlan == VlanMode::Dot1Q) {
        a.vlan_outer = static_cast<uint16_t>(100 + host % 4);
    } else if (cfg_.vlan == VlanMode::QinQ) {
        a.vlan_outer = static_cast<uint16_t>(10 + host % 2);
        a.vlan_inner = static_cast<uint16_t>(100 + host % 4);
    }
    a.ipv6_flow_label = static_cast<uint32_t>(rng.next() & 0xFFFFF);
    return a;
}

void Generator::start_session(uint64_t id, uint64_t start_us) {
    Rng frng = Rng::derive(cfg_.seed ^ kSaltFlow, id);
    const bool v6 = frng.chance(cfg_.ipv6);
    FlowAddressing addr = address(id, v6, frng);
    const size_t gen = generators_.size() > 1 ? frng.below(generators_.size()) : 0;
    if (addr.server_port == 0) {  // "auto": the generator's own port, from a stream of its own
        Rng port_rng = Rng::derive(cfg_.seed ^ kSaltPort, id);
        addr.server_port = generators_[gen]->natural_port(port_rng);
        if (addr.server_port == 0)
            addr.server_port = kDefaultAutoPorts[port_rng.below(std::size(kDefaultAutoPorts))];
    }
    PayloadContext ctx;
    ctx.flow_id = id;
    ctx.server_port = addr.server_port;
    ctx.ipv6 = v6;
    ctx.target_bytes = frng.log_between(cfg_.bytes_min, cfg_.bytes_max);
    ctx.start_us = start_us;
    const bool handshake = !frng.chance(cfg_.midstream);
    const bool rst = frng.chance(cfg_.rst);
    SessionOptions opt = cfg_.session;
    opt.rtt_us = frng.between(opt.rtt_us / 2, opt.rtt_us * 3 / 2);
    opt.handshake = handshake;
    if (v6 && opt.mss > 20) opt.mss -= 20;

    conv_.exchanges.clear();
    conv_.teardown = Teardown::FinClient;
    conv_.truth = nullptr;
    Rng prng = Rng::derive(cfg_.seed ^ kSaltPayload, id);
    generators_[gen]->generate(ctx, prng, conv_);
    if (rst) conv_.teardown = Teardown::Rst;

    uint32_t slot;
    if (free_.empty()) {
        slot = static_cast<uint32_t>(live_.size());
        live_.push_back(std::make_unique<Live>());
    } else {
        slot = free_.back();
        free_.pop_back();
    }
    Live &live = *live_[slot];
    live.id = id;
    live.next = 0;
    Rng trng = Rng::derive(cfg_.seed ^ kSaltTcp, id);
    plan_session(addr, conv_, opt, start_us, trng, live.plan);

    ++stats_.flows;
    if (expected_ != nullptr) {
        FlowTruth t = summarize(live.plan, id, true);
        t.payload = cfg_.payloads[gen];
        t.extra = std::move(conv_.truth);
        expected_->add(t);
    }
    if (live.plan.packets.empty()) {
        free_.push_back(slot);
        ++empty_run_;
        return;
    }
    empty_run_ = 0;
    heap_.push({live.plan.packets.front().ts_us, id, slot});
}

void Generator::emit(Live &live) {
    const PlannedPacket &p = live.plan.packets[live.next++];
    const size_t len = planned_frame_len(live.plan, p);
    uint8_t *dst = pcap_.reserve(static_cast<uint32_t>(len));
    build_planned_frame(live.plan, p, dst);
    pcap_.commit(p.ts_us, static_cast<uint32_t>(len));
}

TrafficStats Generator::run() {
    const uint64_t packets0 = pcap_.packets(), bytes0 = pcap_.frame_bytes();
    for (;;) {
        const bool can_start = !schedule_.done();
        if (can_start && (heap_.empty() || schedule_.next_start() <= heap_.top().ts)) {
            // Target reached (or sessions produce nothing): stop starting, finish the live ones.
            if ((cfg_.target_bytes && pcap_.file_bytes() >= cfg_.target_bytes) ||
                (cfg_.target_bytes && empty_run_ > cfg_.flows)) {
                schedule_.stop();
                continue;
            }
            start_session(schedule_.next_id(), schedule_.next_start());
            schedule_.advance();
            continue;
        }
        if (heap_.empty()) break;
        const HeapEntry top = heap_.top();
        heap_.pop();
        Live &live = *live_[top.slot];
        emit(live);
        if (live.next < live.plan.packets.size()) {
            heap_.push({live.plan.packets[live.next].ts_us, top.id, top.slot});
        } else {
            free_.push_back(top.slot);
        }
    }
    stats_.packets = pcap_.packets() - packets0;
    stats_.frame_bytes = pcap_.frame_bytes() - bytes0;
    stats_.file_bytes = pcap_.file_bytes();
    return stats_;
}

}  // namespace

std::string validate(const TrafficConfig &cfg) {
    if (cfg.ports.empty()) return "ports: at least one server port is needed";
    if (cfg.payloads.empty()) return "payload: at least one generator is needed";
    for (const auto &p : cfg.payloads)
        if (!make_payload_generator(p)) return "payload: unknown generator '" + p + "'";
    if (cfg.bytes_min > cfg.bytes_max) return "bytes-per-flow: MIN is larger than MAX";
    if (cfg.bytes_max > (uint64_t{1} << 30)) return "bytes-per-flow: MAX is above 1 GiB";
    if (cfg.session.mss == 0 || cfg.session.mss > kMaxSegmentPayload)
        return "mss: must be 1.." + std::to_string(kMaxSegmentPayload);
    if (cfg.servers == 0) return "servers: must be at least 1";
    if (cfg.duration_us == 0) return "duration: must be positive";
    if (cfg.target_bytes && cfg.flows == 0) return "flows: must be positive with target-bytes";
    for (double p : {cfg.midstream, cfg.ipv6, cfg.rst, cfg.session.impair.reorder,
                     cfg.session.impair.duplicate, cfg.session.impair.drop})
        if (!(p >= 0.0 && p <= 1.0)) return "probabilities must be within 0..1";
    if (cfg.client_v4.family != net::IpFamily::V4 || cfg.server_v4.family != net::IpFamily::V4)
        return "client-net/server-net: IPv4 subnets expected";
    if (cfg.client_v6.family != net::IpFamily::V6 || cfg.server_v6.family != net::IpFamily::V6)
        return "client-net6/server-net6: IPv6 subnets expected";
    return {};
}

TrafficStats generate_traffic(const TrafficConfig &cfg, PcapWriter &pcap, ExpectedWriter *expected) {
    if (const std::string err = validate(cfg); !err.empty()) throw std::invalid_argument(err);
    return Generator(cfg, pcap, expected).run();
}

}  // namespace postern::synth
