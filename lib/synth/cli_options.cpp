#include "synth/cli_options.hpp"

#include <algorithm>

#include "synth/scenario/scenario.hpp"

#include <charconv>
#include <functional>
#include <limits>
#include <map>

#include "synth/payload_generator.hpp"

namespace postern::synth {

namespace {

struct BadValue {
    std::string what;
};

uint64_t to_u64(std::string_view v, uint64_t lo, uint64_t hi, const char *what = "an integer") {
    uint64_t x = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size() || x < lo || x > hi)
        throw BadValue{std::string("expected ") + what + " in " + std::to_string(lo) + ".." +
                       std::to_string(hi)};
    return x;
}

// Byte counts may carry a binary suffix: 512K, 200M, 4G.
uint64_t to_size(std::string_view v) {
    uint64_t mult = 1;
    if (!v.empty()) {
        switch (v.back()) {
        case 'K': case 'k': mult = uint64_t{1} << 10; break;
        case 'M': case 'm': mult = uint64_t{1} << 20; break;
        case 'G': case 'g': mult = uint64_t{1} << 30; break;
        case 'T': case 't': mult = uint64_t{1} << 40; break;
        default: break;
        }
        if (mult != 1) v.remove_suffix(1);
    }
    return to_u64(v, 0, std::numeric_limits<uint64_t>::max() / mult, "a size (suffix K, M, G or T allowed)") *
           mult;
}

double to_prob(std::string_view v) {
    double x = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size() || !(x >= 0.0 && x <= 1.0))
        throw BadValue{"expected a probability in 0..1"};
    return x;
}

// Decimal seconds ("60", "0.5", "1700000000.25") to microseconds, without floating point.
uint64_t to_micros(std::string_view v, uint64_t max_seconds) {
    const auto dot = v.find('.');
    const std::string_view whole = v.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? std::string_view{} : v.substr(dot + 1);
    const uint64_t s = to_u64(whole, 0, max_seconds, "seconds");
    if (frac.size() > 6 || (dot != std::string_view::npos && frac.empty()))
        throw BadValue{"expected seconds with at most 6 decimals"};
    uint64_t us = 0;
    for (size_t i = 0; i < 6; ++i) {
        const char c = i < frac.size() ? frac[i] : '0';
        if (c < '0' || c > '9') throw BadValue{"expected seconds with at most 6 decimals"};
        us = us * 10 + static_cast<uint64_t>(c - '0');
    }
    return s * 1000000 + us;
}

std::vector<std::string_view> split(std::string_view v, char sep) {
    std::vector<std::string_view> parts;
    for (size_t start = 0;;) {
        const size_t at = v.find(sep, start);
        parts.push_back(v.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
        if (at == std::string_view::npos) break;
        start = at + 1;
    }
    return parts;
}

Subnet to_subnet(std::string_view v, net::IpFamily family) {
    const auto s = parse_subnet(v);
    if (!s || s->family != family)
        throw BadValue{family == net::IpFamily::V4 ? "expected an IPv4 subnet such as 192.0.2.0/24"
                                                   : "expected an IPv6 subnet such as 2001:db8:1::/64"};
    return *s;
}

using Setter = std::function<void(std::string_view, CliOptions &)>;

struct Option {
    bool takes_value;
    Setter set;
};

const std::map<std::string, Option, std::less<>> &options() {
    static const std::map<std::string, Option, std::less<>> table = {
        {"--out", {true, [](std::string_view v, CliOptions &o) {
             if (v.empty()) throw BadValue{"expected a file name"};
             o.out = v;
         }}},
        {"--expected", {true, [](std::string_view v, CliOptions &o) {
             if (v.empty()) throw BadValue{"expected a file name"};
             o.expected = v;
         }}},
        {"--scenario", {true, [](std::string_view v, CliOptions &o) {
             const auto known = scenario_names();
             for (auto n : split(v, ',')) {
                 if (n != "all" && std::find(known.begin(), known.end(), n) == known.end())
                     throw BadValue{"unknown scenario '" + std::string(n) + "' (see --help)"};
                 o.scenarios.emplace_back(n);
             }
         }}},
        {"--seed", {true, [](std::string_view v, CliOptions &o) {
             o.traffic.seed = to_u64(v, 0, std::numeric_limits<uint64_t>::max());
         }}},
        {"--flows", {true, [](std::string_view v, CliOptions &o) { o.traffic.flows = to_u64(v, 0, uint64_t{1} << 32); }}},
        {"--ports", {true, [](std::string_view v, CliOptions &o) {
             o.traffic.ports.clear();
             for (auto p : split(v, ','))  // "auto" (0): each flow's generator picks its own port
                 o.traffic.ports.push_back(p == "auto" ? uint16_t{0}
                                                       : static_cast<uint16_t>(to_u64(p, 1, 65535, "a port list")));
         }}},
        {"--payload", {true, [](std::string_view v, CliOptions &o) {
             o.traffic.payloads.clear();
             for (auto p : split(v, ',')) {
                 if (!make_payload_generator(p)) {
                     std::string known;
                     for (const auto &n : payload_generator_names()) known += (known.empty() ? "" : ", ") + n;
                     throw BadValue{"unknown generator '" + std::string(p) + "' (known: " + known + ")"};
                 }
                 o.traffic.payloads.emplace_back(p);
             }
         }}},
        {"--bytes-per-flow", {true, [](std::string_view v, CliOptions &o) {
             const auto parts = split(v, ':');
             if (parts.size() != 2) throw BadValue{"expected MIN:MAX"};
             o.traffic.bytes_min = to_size(parts[0]);
             o.traffic.bytes_max = to_size(parts[1]);
             if (o.traffic.bytes_min > o.traffic.bytes_max) throw BadValue{"MIN is larger than MAX"};
             if (o.traffic.bytes_max > (uint64_t{1} << 30)) throw BadValue{"MAX is above 1G"};
         }}},
        {"--mss", {true, [](std::string_view v, CliOptions &o) {
             o.traffic.session.mss = static_cast<uint32_t>(to_u64(v, 1, kMaxSegmentPayload));
         }}},
        {"--split", {false, [](std::string_view, CliOptions &o) { o.traffic.session.split = true; }}},
        {"--ack", {true, [](std::string_view v, CliOptions &o) {
             o.traffic.session.ack_every = static_cast<uint32_t>(to_u64(v, 0, 1000));
         }}},
        {"--reorder", {true, [](std::string_view v, CliOptions &o) { o.traffic.session.impair.reorder = to_prob(v); }}},
        {"--dup", {true, [](std::string_view v, CliOptions &o) { o.traffic.session.impair.duplicate = to_prob(v); }}},
        {"--drop", {true, [](std::string_view v, CliOptions &o) { o.traffic.session.impair.drop = to_prob(v); }}},
        {"--wrap", {false, [](std::string_view, CliOptions &o) { o.traffic.session.wrap = true; }}},
        {"--midstream", {true, [](std::string_view v, CliOptions &o) { o.traffic.midstream = to_prob(v); }}},
        {"--ipv6", {true, [](std::string_view v, CliOptions &o) { o.traffic.ipv6 = to_prob(v); }}},
        {"--rst", {true, [](std::string_view v, CliOptions &o) { o.traffic.rst = to_prob(v); }}},
        {"--vlan", {true, [](std::string_view v, CliOptions &o) {
             if (v == "none") o.traffic.vlan = VlanMode::None;
             else if (v == "1q") o.traffic.vlan = VlanMode::Dot1Q;
             else if (v == "qinq") o.traffic.vlan = VlanMode::QinQ;
             else throw BadValue{"expected none, 1q or qinq"};
         }}},
        {"--duration", {true, [](std::string_view v, CliOptions &o) {
             o.traffic.duration_us = to_micros(v, 100ULL * 365 * 86400);
             if (o.traffic.duration_us == 0) throw BadValue{"expected a positive duration"};
         }}},
        {"--start-time", {true, [](std::string_view v, CliOptions &o) { o.traffic.start_us = to_micros(v, 0xFFFFFFFFULL / 2); }}},
        {"--target-bytes", {true, [](std::string_view v, CliOptions &o) { o.traffic.target_bytes = to_size(v); }}},
        {"--rtt-ms", {true, [](std::string_view v, CliOptions &o) { o.traffic.session.rtt_us = to_u64(v, 0, 60000) * 1000; }}},
        {"--think-ms", {true, [](std::string_view v, CliOptions &o) { o.traffic.session.think_us = to_u64(v, 0, 600000) * 1000; }}},
        {"--servers", {true, [](std::string_view v, CliOptions &o) {
             o.traffic.servers = static_cast<uint32_t>(to_u64(v, 1, 1u << 24));
         }}},
        {"--client-net", {true, [](std::string_view v, CliOptions &o) { o.traffic.client_v4 = to_subnet(v, net::IpFamily::V4); }}},
        {"--server-net", {true, [](std::string_view v, CliOptions &o) { o.traffic.server_v4 = to_subnet(v, net::IpFamily::V4); }}},
        {"--client-net6", {true, [](std::string_view v, CliOptions &o) { o.traffic.client_v6 = to_subnet(v, net::IpFamily::V6); }}},
        {"--server-net6", {true, [](std::string_view v, CliOptions &o) { o.traffic.server_v6 = to_subnet(v, net::IpFamily::V6); }}},
        {"--help", {false, [](std::string_view, CliOptions &o) { o.help = true; }}},
    };
    return table;
}

}  // namespace

std::string parse_cli(const std::vector<std::string> &args, CliOptions &out) {
    for (size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        if (arg == "-h") arg = "--help";
        std::string_view name = arg, value;
        bool inline_value = false;
        if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
            inline_value = true;
        }
        const auto it = options().find(name);
        if (it == options().end()) return std::string(name) + ": unknown option (see --help)";
        const Option &opt = it->second;
        if (opt.takes_value && !inline_value) {
            if (i + 1 >= args.size()) return std::string(name) + ": missing value";
            value = args[++i];
        } else if (!opt.takes_value && inline_value) {
            return std::string(name) + ": takes no value";
        }
        try {
            opt.set(value, out);
        } catch (const BadValue &e) {
            return std::string(name) + ": " + e.what + ", got '" + std::string(value) + "'";
        }
    }
    if (out.help) return {};
    if (out.out.empty()) return "--out: required";
    if (const std::string err = validate(out.traffic); !err.empty()) return "--" + err;
    return {};
}

std::string cli_usage() {
    std::string scenarios;
    for (const auto &n : scenario_names()) scenarios += "                         " + n + "\n";
    return R"(usage: postern-synth --out FILE.pcap [options]
Writes a deterministic capture of synthetic TCP sessions (same arguments, same bytes).

  --out FILE             pcap to write ("-" for stdout)
  --expected FILE        ground-truth JSON, one object per flow
  --seed N               random seed (default 1)
  --flows N              sessions per --duration window (default 100)
  --ports LIST           server ports, comma-separated; "auto" = the generator's own port
                         (smtp 25/587, pop3 110, imap 143) (default 25,110,143)
  --payload NAME[,NAME]  payload generator(s), one drawn per flow (default random; also text,
                         smtp, pop3, imap)
  --bytes-per-flow A:B   application bytes per flow, both directions, log-uniform (default 200:20000)
  --mss N                TCP payload per segment over IPv4; IPv6 uses N-20 (default 1460)
  --split                random segment sizes in 1..mss
  --ack N                pure ACK after every N segments, 0 for none (default 1)
  --reorder P            per-segment probability of being delayed behind later ones
  --dup P                per-segment probability of a retransmission (verbatim or overlapping)
  --drop P               per-segment probability of being missing from the capture
  --wrap                 sequence numbers start just below 2^32 so every stream wraps
  --midstream P          fraction of sessions without a captured handshake
  --ipv6 P               fraction of sessions over IPv6
  --rst P                fraction of sessions ended by a client RST
  --vlan none|1q|qinq    VLAN tagging (default none)
  --duration SECONDS     window over which sessions start (default 60)
  --start-time UNIX      timestamp of the window start (default 1700000000)
  --target-bytes N       repeat windows until the file reaches N bytes (K/M/G/T suffixes)
  --rtt-ms N             mean round-trip time (default 20)
  --think-ms N           mean pause before each exchange (default 50)
  --servers N            server addresses to use (default 4)
  --client-net CIDR      IPv4 client subnet (default 192.0.2.0/24)
  --server-net CIDR      IPv4 server subnet (default 198.51.100.0/24)
  --client-net6 CIDR     IPv6 client subnet (default 2001:db8:1::/64)
  --server-net6 CIDR     IPv6 server subnet (default 2001:db8:2::/64)
  --scenario NAME[,NAME] labelled detector-evaluation scenarios instead of random traffic
                         ("all", or any of the names below; uses --seed and --start-time)
)" + scenarios;
}

}  // namespace postern::synth
