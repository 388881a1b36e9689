// Which way bytes travel in a session. The client is the side that opened the connection (SYN
// sender), or, when the handshake was missed, the side talking to a well-known server port.
#pragma once

#include <cstdint>

namespace postern::stream {

enum class Direction : uint8_t { ToServer = 0, ToClient = 1 };

inline constexpr Direction opposite(Direction d) {
    return d == Direction::ToServer ? Direction::ToClient : Direction::ToServer;
}
inline constexpr int index(Direction d) { return static_cast<int>(d); }

}  // namespace postern::stream
