#include "share/share_wire.hpp"

#include <unistd.h>

#include <cstring>

#include "detect/history_keys.hpp"

namespace postern::share {

namespace {

constexpr uint8_t kVersion = 2;  // 2: SessionSummary::sent_appends

struct Writer {
    char *p;
    void u8(uint8_t v) { *p++ = static_cast<char>(v); }
    void u16(uint16_t v) { u8(static_cast<uint8_t>(v)), u8(static_cast<uint8_t>(v >> 8)); }
    void u64(uint64_t v) {
        for (int i = 0; i < 8; ++i) u8(static_cast<uint8_t>(v >> (8 * i)));
    }
    void raw(const void *d, size_t n) { std::memcpy(p, d, n), p += n; }
};

struct Reader {
    const uint8_t *p, *end;
    bool ok = true;
    bool need(size_t n) { return ok = ok && static_cast<size_t>(end - p) >= n; }
    uint8_t u8() { return need(1) ? *p++ : 0; }
    uint16_t u16() {
        const uint16_t lo = u8();
        return static_cast<uint16_t>(lo | u8() << 8);
    }
    uint64_t u64() {
        uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v |= uint64_t{u8()} << (8 * i);
        return v;
    }
    void raw(void *d, size_t n) {
        if (need(n)) std::memcpy(d, p, n), p += n;
    }
};

void write_summary(Writer &w, const detect::SessionSummary &s) {
    for (uint64_t v : {s.flow_id, s.start_ns, s.end_ns, s.decided_ns, s.bytes_toserver, s.bytes_toclient,
                       s.opaque_append_bytes})
        w.u64(v);
    const auto &e = s.endpoints;
    w.raw(e.src_ip.bytes.data(), 16), w.raw(e.dest_ip.bytes.data(), 16);
    w.u8(static_cast<uint8_t>(e.family)), w.u16(e.src_port), w.u16(e.dest_port), w.u8(e.proto);
    w.u8(e.vlan_count), w.u16(e.vlan[0]), w.u16(e.vlan[1]);
    w.u8(static_cast<uint8_t>(s.protocol)), w.u8(static_cast<uint8_t>(s.handshake | s.quit << 1));
    for (uint16_t v : {s.auth_failures, s.auth_successes, s.appends, s.fetched, s.deletes, s.drafts_appends,
                       s.sent_appends, s.drafts_pickups, s.smtp_messages, s.other_mailbox_ops})
        w.u16(v);
    w.u8(s.user_len), w.raw(s.user, s.user_len);
    w.u8(s.iface_len), w.raw(s.in_iface, s.iface_len);
}

void read_summary(Reader &r, detect::SessionSummary &s) {
    for (uint64_t *v : {&s.flow_id, &s.start_ns, &s.end_ns, &s.decided_ns, &s.bytes_toserver, &s.bytes_toclient,
                        &s.opaque_append_bytes})
        *v = r.u64();
    auto &e = s.endpoints;
    r.raw(e.src_ip.bytes.data(), 16), r.raw(e.dest_ip.bytes.data(), 16);
    const uint8_t family = r.u8();
    r.ok = r.ok && (family == 4 || family == 6);
    e.family = static_cast<net::IpFamily>(family);
    e.src_port = r.u16(), e.dest_port = r.u16(), e.proto = r.u8();
    e.vlan_count = r.u8(), e.vlan[0] = r.u16(), e.vlan[1] = r.u16();
    r.ok = r.ok && e.vlan_count <= 2;
    const uint8_t protocol = r.u8();
    r.ok = r.ok && protocol <= static_cast<uint8_t>(proto::Protocol::Tls);
    s.protocol = static_cast<proto::Protocol>(protocol);
    const uint8_t flags = r.u8();
    r.ok = r.ok && flags <= 3;
    s.handshake = flags & 1, s.quit = flags & 2;
    for (uint16_t *v : {&s.auth_failures, &s.auth_successes, &s.appends, &s.fetched, &s.deletes, &s.drafts_appends,
                        &s.sent_appends, &s.drafts_pickups, &s.smtp_messages, &s.other_mailbox_ops})
        *v = r.u16();
    s.user_len = r.u8();
    r.ok = r.ok && s.user_len <= sizeof s.user;
    if (r.ok) r.raw(s.user, s.user_len);
    s.iface_len = r.u8();
    r.ok = r.ok && s.iface_len <= sizeof s.in_iface;
    if (r.ok) r.raw(s.in_iface, s.iface_len);
}

}  // namespace

size_t encode(const Message &m, char *out) {
    Writer w{out};
    w.u8(kVersion), w.u8(static_cast<uint8_t>(m.kind)), w.u8(m.roles), w.u64(m.clock_ns);
    if (m.kind == MessageKind::Summary) write_summary(w, m.summary);
    return static_cast<size_t>(w.p - out);
}

std::optional<Message> decode(std::string_view bytes) {
    Reader r{reinterpret_cast<const uint8_t *>(bytes.data()), reinterpret_cast<const uint8_t *>(bytes.data()) + bytes.size()};
    Message m;
    if (r.u8() != kVersion) return std::nullopt;
    const uint8_t kind = r.u8();
    if (kind > static_cast<uint8_t>(MessageKind::End)) return std::nullopt;
    m.kind = static_cast<MessageKind>(kind);
    m.roles = r.u8();
    m.clock_ns = r.u64();
    if (m.kind == MessageKind::Summary) {
        read_summary(r, m.summary);
        r.ok = r.ok && m.roles != 0 && (m.roles & ~detect::kBothRoles) == 0;
    }
    if (!r.ok || r.p != r.end) return std::nullopt;
    return m;
}

uint32_t client_shard(const detect::SessionSummary &s, uint32_t shards) {
    detect::KeyHash k;
    return static_cast<uint32_t>(detect::client(k, s).h % shards);
}

uint32_t user_shard(const detect::SessionSummary &s, uint32_t shards) {
    detect::KeyHash k;
    return static_cast<uint32_t>(k.add(s.user_name()).h % shards);
}

Routes shard_routes(const detect::SessionSummary &s, uint32_t shards) {
    const uint32_t by_client = client_shard(s, shards);
    const uint32_t by_user = s.user_len ? user_shard(s, shards) : by_client;
    if (by_user == by_client) return {{{by_client, detect::kBothRoles}, {}}, 1};
    return {{{by_client, detect::kClientRole}, {by_user, detect::kUserRole}}, 2};
}

std::string host_and_pid() {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    return std::string(host) + "-" + std::to_string(getpid());
}

std::string shard_stream(const std::string &prefix, uint32_t shard) {
    return prefix + ":{" + std::to_string(shard) + "}";
}

}  // namespace postern::share
