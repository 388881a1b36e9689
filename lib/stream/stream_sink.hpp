// What the application layer receives from the stream layer: ordered bytes per direction, notices
// of bytes that will never arrive (gaps), the end of each direction, and the TCP-level tricks it
// refused to believe (stream events, reported as EVE anomalies).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stream/direction.hpp"
#include "util/named_enum.hpp"

namespace postern::stream {

#define POSTERN_STREAM_EVENTS(X)                                           \
    /* a RST the receiver would ignore: not taken as the end */            \
    X(RstOutOfWindow, "stream.rst_out_of_window")                          \
    X(FinOutOfWindow, "stream.fin_out_of_window") /* likewise a FIN */     \
    /* a SYN with another ISN on a session whose stream had started */     \
    X(SynWithNewIsn, "stream.syn_with_new_isn")                            \
    /* a retransmission disagreeing with bytes already held */             \
    X(OverlapDifferentData, "stream.overlap_different_data")               \
    /* segments the receiver drops for their checksum (not reassembled) */ \
    X(BadChecksum, "stream.bad_checksum")
POSTERN_NAMED_ENUM_COUNTED(StreamEvent, POSTERN_STREAM_EVENTS);
inline constexpr size_t kStreamEvents = static_cast<size_t>(StreamEvent::Count);

// "stream.rst_out_of_window", ...
constexpr std::string_view stream_event_name(StreamEvent e) {
    return util::enum_name(kStreamEventNames, e, "stream.unknown");
}

class StreamSink {
public:
    virtual void on_data(Direction dir, const uint8_t *data, size_t len) = 0;
    virtual void on_gap(Direction dir, uint32_t len) = 0;
    virtual void on_end(Direction dir) = 0;
    virtual void on_event(Direction dir, StreamEvent e) { (void)dir, (void)e; }

protected:
    ~StreamSink() = default;
};

}  // namespace postern::stream
