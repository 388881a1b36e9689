// After a server accepts STARTTLS (SMTP, IMAP) or STLS (POP3) both sides must speak TLS. The
// parsers stop reading lines then, so a session that carries on in cleartext would blind us: this
// walks the TLS record layer of each direction (5-byte headers, lengths skipped, nothing
// decrypted) and says where it breaks, so the parser can report it and read the rest as cleartext.
#pragma once

#include <cstddef>
#include <cstdint>

#include "proto/common/byte_span.hpp"
#include "stream/direction.hpp"

namespace postern::proto {

class TlsUpgrade {
public:
    void begin();  // the upgrade was accepted: bytes from here on must be TLS records
    void end() { active_ = false; }
    bool active() const { return active_; }

    // Walks `in` (bytes of `dir`) while active. Returns true when TLS broke: `in` is then left at
    // the first byte that is not TLS, and carried(dir) holds the bytes before it that were kept
    // from earlier calls (a record header cut by a segment boundary): cleartext too.
    bool take(stream::Direction dir, ByteSpan &in);
    ByteSpan carried(stream::Direction dir) const {
        const Walker &w = w_[stream::index(dir)];
        return {w.header, w.have};
    }
    uint64_t records(stream::Direction dir) const { return w_[stream::index(dir)].records; }
    // Both directions have sent enough records to have finished a handshake.
    bool established() const { return active_ && w_[0].records >= 3 && w_[1].records >= 3; }

    // What a parser does with bytes after the upgrade: counts the TLS ones in `tls_bytes`; when
    // TLS breaks, ends the upgrade, calls on_break() (the parser reports it and leaves its
    // encrypted state) and then feed() with the cleartext: the carried bytes, then the rest.
    template <class OnBreak, class Feed>
    void walk(stream::Direction dir, ByteSpan in, uint64_t &tls_bytes, OnBreak &&on_break, Feed &&feed) {
        const size_t before = in.size;
        const bool broke = take(dir, in);
        tls_bytes += before - in.size;
        if (!broke) return;
        const ByteSpan carried = this->carried(dir);
        uint8_t kept[sizeof Walker::header];
        const size_t n = carried.size < sizeof kept ? carried.size : sizeof kept;  // always: says it to the compiler
        for (size_t i = 0; i < n; ++i) kept[i] = carried.data[i];
        end();
        on_break();
        if (n) feed(ByteSpan{kept, n});
        feed(in);
    }

private:
    struct Walker {
        uint8_t header[5] = {};
        uint8_t have = 0;        // header bytes kept while the header is incomplete
        uint32_t remaining = 0;  // bytes of the current record's body still to skip
        uint64_t records = 0;
    };
    Walker w_[2];
    bool active_ = false;
};

}  // namespace postern::proto
