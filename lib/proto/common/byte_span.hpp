// A read cursor over a span of bytes handed in by the stream layer. Parsers consume it in steps
// (a line, a BDAT chunk) and switch state in between without copying.
#pragma once

#include <cstddef>
#include <cstdint>

namespace postern::proto {

struct ByteSpan {
    const uint8_t *data = nullptr;
    size_t size = 0;

    bool empty() const { return size == 0; }
    void advance(size_t n) { data += n, size -= n; }
    ByteSpan first(size_t n) const { return {data, n < size ? n : size}; }
};

}  // namespace postern::proto
