#include "synth/expected_writer.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace postern::synth {

namespace {

std::string hex64(uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

}  // namespace

nlohmann::ordered_json flow_truth_json(const FlowTruth &t) {
    const auto &a = t.addr;
    nlohmann::ordered_json vlan = nlohmann::ordered_json::array();
    if (a.vlan != VlanMode::None) vlan.push_back(a.vlan_outer);
    if (a.vlan == VlanMode::QinQ) vlan.push_back(a.vlan_inner);
    // Hashes are hex strings: 64-bit integers do not survive JSON readers that use doubles.
    nlohmann::ordered_json j{
        {"id", t.id},
        {"proto", "TCP"},
        {"ip_version", a.family == net::IpFamily::V6 ? 6 : 4},
        {"client_ip", net::format_ip(a.client_ip, a.family)},
        {"client_port", a.client_port},
        {"server_ip", net::format_ip(a.server_ip, a.family)},
        {"server_port", a.server_port},
        {"vlan", vlan},
        {"payload", t.payload},
        {"pkts_toserver", t.toserver.pkts},
        {"pkts_toclient", t.toclient.pkts},
        {"bytes_toserver", t.toserver.bytes},
        {"bytes_toclient", t.toclient.bytes},
        {"first_ts_us", t.first_ts_us},
        {"last_ts_us", t.last_ts_us},
        {"start", format_timestamp(t.first_ts_us)},
        {"end", format_timestamp(t.last_ts_us)},
        {"app_bytes_toserver", t.toserver.app_bytes},
        {"app_bytes_toclient", t.toclient.app_bytes},
        {"app_fnv1a64_toserver", hex64(t.toserver.app_hash)},
        {"app_fnv1a64_toclient", hex64(t.toclient.app_hash)},
        {"gap_bytes_toserver", t.toserver.gap_bytes},
        {"gap_bytes_toclient", t.toclient.gap_bytes},
        {"holes", t.toserver.gap_bytes + t.toclient.gap_bytes > 0},
        {"handshake", t.handshake},
        {"teardown", teardown_name(t.teardown)},
        {"seq_wraps", t.seq_wraps},
        {"isn_client", t.isn_client},
        {"isn_server", t.isn_server},
        {"impairments",
         nlohmann::ordered_json{{"reordered", t.impairments.reordered},
                                {"duplicated", t.impairments.duplicated},
                                {"overlapped", t.impairments.overlapped},
                                {"dropped", t.impairments.dropped}}},
    };
    if (t.extra.is_object())
        for (const auto &[key, value] : t.extra.items()) j[key] = value;
    return j;
}

ExpectedWriter::ExpectedWriter(const std::string &path, const nlohmann::ordered_json &meta) : path_(path) {
    file_ = std::fopen(path.c_str(), "wb");
    if (file_ == nullptr)
        throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    std::string head = meta.dump();  // "{...}" -> "{...,"flows":[\n"
    head.pop_back();
    put(head + (meta.empty() ? "" : ",") + "\"flows\":[\n");
}

ExpectedWriter::~ExpectedWriter() {
    if (file_ != nullptr) std::fclose(file_);
}

void ExpectedWriter::put(const std::string &s) {
    if (file_ == nullptr) throw std::logic_error("ExpectedWriter used after finish()");
    if (std::fwrite(s.data(), 1, s.size(), file_) != s.size())
        throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(errno));
}

void ExpectedWriter::add(const FlowTruth &t) {
    put((first_ ? "" : ",\n") + flow_truth_json(t).dump());
    first_ = false;
}

void ExpectedWriter::finish(const nlohmann::ordered_json &totals) {
    put((first_ ? "" : "\n") + std::string("],\"totals\":") + totals.dump() + "}\n");
    std::FILE *f = file_;
    file_ = nullptr;
    if (std::fclose(f) != 0) throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(errno));
}

}  // namespace postern::synth
