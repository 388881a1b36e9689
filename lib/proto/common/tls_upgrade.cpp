#include "proto/common/tls_upgrade.hpp"

namespace postern::proto {

namespace {

// A TLS record header (RFC 8446 §5.1, RFC 5246 §6.2.1): content type change_cipher_spec, alert,
// handshake, application_data or heartbeat; version 3.x; a length within what a record may hold.
bool record_header(const uint8_t *h) {
    const uint8_t type = h[0];
    const uint32_t len = uint32_t{h[3]} << 8 | h[4];
    return type >= 20 && type <= 24 && h[1] == 3 && h[2] <= 4 && len > 0 && len <= (1u << 14) + 2048;
}

}  // namespace

void TlsUpgrade::begin() {
    active_ = true;
    w_[0] = Walker{};
    w_[1] = Walker{};
}

bool TlsUpgrade::take(stream::Direction dir, ByteSpan &in) {
    Walker &w = w_[stream::index(dir)];
    while (!in.empty()) {
        if (w.remaining > 0) {
            const size_t n = w.remaining < in.size ? w.remaining : in.size;
            in.advance(n);
            w.remaining -= static_cast<uint32_t>(n);
            continue;
        }
        // A header: from the carried bytes and `in`, without consuming `in` until it is valid.
        uint8_t h[5];
        size_t from_in = 0;
        for (uint8_t i = 0; i < w.have; ++i) h[i] = w.header[i];
        while (w.have + from_in < 5 && from_in < in.size) {
            h[w.have + from_in] = in.data[from_in];
            ++from_in;
        }
        const size_t got = w.have + from_in;
        // Decide on the bytes there are: a type or version byte that cannot be TLS breaks at once.
        const bool plausible = (got < 1 || (h[0] >= 20 && h[0] <= 24)) && (got < 2 || h[1] == 3) && (got < 3 || h[2] <= 4);
        if (!plausible || (got == 5 && !record_header(h))) return true;  // `in` stays at the break
        if (got < 5) {  // the rest of the header is in the next segment
            for (size_t i = 0; i < from_in; ++i) w.header[w.have + i] = in.data[i];
            w.have = static_cast<uint8_t>(got);
            in.advance(from_in);
            return false;
        }
        in.advance(from_in);
        w.have = 0;
        w.remaining = uint32_t{h[3]} << 8 | h[4];
        ++w.records;
    }
    return false;
}

}  // namespace postern::proto
