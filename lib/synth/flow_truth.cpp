#include "synth/flow_truth.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

#include "synth/checksum.hpp"

namespace postern::synth {

namespace {

// Stream bytes covered by at least one captured data segment of `side`.
uint64_t covered_bytes(const SessionPlan &plan, Side side) {
    std::vector<std::pair<uint32_t, uint32_t>> ranges;
    for (const auto &p : plan.packets)
        if (p.from == side && p.len) ranges.emplace_back(p.offset, p.offset + p.len);
    std::sort(ranges.begin(), ranges.end());
    uint64_t covered = 0;
    uint32_t reach = 0;
    for (const auto &[b, e] : ranges) {
        const uint32_t from = std::max(b, reach);
        if (e > from) {
            covered += e - from;
            reach = e;
        }
    }
    return covered;
}

}  // namespace

FlowTruth summarize(const SessionPlan &plan, uint64_t id, bool with_hash) {
    FlowTruth t;
    t.id = id;
    t.addr = plan.addr;
    t.handshake = plan.handshake;
    t.teardown = plan.teardown;
    t.isn_client = plan.isn[0];
    t.isn_server = plan.isn[1];
    t.impairments = plan.impairments;
    for (const auto &p : plan.packets) {
        DirectionTruth &d = p.from == Side::Client ? t.toserver : t.toclient;
        ++d.pkts;
        d.bytes += planned_frame_len(plan, p);
    }
    if (!plan.packets.empty()) {
        t.first_ts_us = plan.packets.front().ts_us;
        t.last_ts_us = plan.packets.back().ts_us;
    }
    for (Side s : {Side::Client, Side::Server}) {
        DirectionTruth &d = s == Side::Client ? t.toserver : t.toclient;
        const auto &stream = plan.stream[index(s)];
        d.app_bytes = stream.size();
        d.app_hash = with_hash ? fnv1a64(stream.data(), stream.size()) : 0;
        d.gap_bytes = d.app_bytes - covered_bytes(plan, s);
        // Sequence space runs from the SYN (isn) to the FIN (isn + 1 + length).
        if (uint64_t{plan.isn[index(s)]} + 1 + stream.size() > 0xFFFFFFFFULL) t.seq_wraps = true;
    }
    return t;
}

std::string format_timestamp(uint64_t ts_us) {
    const uint64_t secs = ts_us / 1000000;
    const unsigned micros = static_cast<unsigned>(ts_us % 1000000);
    // Howard Hinnant's civil_from_days.
    const int64_t z = static_cast<int64_t>(secs / 86400) + 719468;
    const unsigned sod = static_cast<unsigned>(secs % 86400);
    const int64_t era = z / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned day = doy - (153 * mp + 2) / 5 + 1;
    const unsigned month = mp < 10 ? mp + 3 : mp - 9;
    const int64_t year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02u.%06u+0000",
                  static_cast<long long>(year), month, day, sod / 3600, sod / 60 % 60, sod % 60, micros);
    return buf;
}

}  // namespace postern::synth
