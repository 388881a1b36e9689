// What the application layer receives from the stream layer: ordered bytes per direction, notices
// of bytes that will never arrive (gaps), and the end of each direction.
#pragma once

#include <cstddef>
#include <cstdint>

#include "stream/direction.hpp"

namespace postern::stream {

class StreamSink {
public:
    virtual void on_data(Direction dir, const uint8_t *data, size_t len) = 0;
    virtual void on_gap(Direction dir, uint32_t len) = 0;
    virtual void on_end(Direction dir) = 0;

protected:
    ~StreamSink() = default;
};

}  // namespace postern::stream
