// What the application layer receives from the stream layer: ordered bytes per direction, notices
// of bytes that will never arrive (gaps), the end of each direction, and the TCP-level tricks it
// refused to believe (stream events, reported as EVE anomalies).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stream/direction.hpp"

namespace postern::stream {

enum class StreamEvent : uint8_t {
    RstOutOfWindow,        // a RST the receiver would ignore: not taken as the end
    FinOutOfWindow,        // likewise a FIN
    SynWithNewIsn,         // a SYN with another ISN on a session whose stream had started
    OverlapDifferentData,  // a retransmission disagreeing with bytes already held
    BadChecksum,           // segments the receiver drops for their checksum (not reassembled)
    Count
};
inline constexpr size_t kStreamEvents = static_cast<size_t>(StreamEvent::Count);

// "stream.rst_out_of_window", ...
std::string_view stream_event_name(StreamEvent e);

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
