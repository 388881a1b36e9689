// Flow keys and the symmetric flow hash shared by RX (to pick a worker) and workers (flow table).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

namespace postern::net {

// An IPv4 or IPv6 address; IPv4 is stored in the first 4 bytes with the rest zero.
struct IpAddress {
    std::array<uint8_t, 16> bytes{};
    bool operator==(const IpAddress &) const = default;
    auto operator<=>(const IpAddress &) const = default;
};

enum class IpFamily : uint8_t { None = 0, V4 = 4, V6 = 6 };

inline constexpr uint8_t kProtoTcp = 6;
inline constexpr uint8_t kProtoUdp = 17;

// The 5-tuple as seen on the wire (src = sender of this packet).
struct FiveTuple {
    IpAddress src;
    IpAddress dst;
    uint16_t src_port = 0;
    uint16_t dst_port = 0;
    uint8_t proto = 0;
    IpFamily family = IpFamily::None;
};

// Direction-free key: endpoint "a" is the lower (address, port) of the two, so both directions of
// a session produce the same key.
struct FlowKey {
    IpAddress a;
    IpAddress b;
    uint16_t a_port = 0;
    uint16_t b_port = 0;
    uint8_t proto = 0;
    IpFamily family = IpFamily::None;
    bool operator==(const FlowKey &) const = default;
};

// Builds the canonical key; sets `src_is_a` to tell which endpoint sent this packet.
FlowKey canonical_key(const FiveTuple &t, bool &src_is_a);

// The flow hash that picks a packet's worker and its flow-table bucket. Symmetric by construction
// (it hashes the canonical key) and keyed: multilinear hashing of the key's 32-bit words with
// random 64-bit multipliers drawn at start (Lemire and Kaser, "Strongly universal string hashing
// is fast"), so a sender who does not know the key cannot aim many flows at one worker or one
// probe chain, as it can with an unkeyed CRC.
class FlowHasher {
public:
    explicit FlowHasher(uint64_t seed = 0);  // 0: a random key (the default for every run)
    uint32_t operator()(const FlowKey &k) const;
    uint32_t operator()(const FiveTuple &t) const {
        bool ignored = false;
        return (*this)(canonical_key(t, ignored));
    }

private:
    static constexpr int kWords = 10;  // two 16-byte addresses, the ports, protocol and family
    uint64_t key_[kWords + 1];
};

// Formats an address the way EVE writes it ("192.0.2.1", "2001:db8::1") into buf; returns length.
size_t format_ip(const IpAddress &ip, IpFamily family, char *buf, size_t cap);
std::string format_ip(const IpAddress &ip, IpFamily family);

}  // namespace postern::net
