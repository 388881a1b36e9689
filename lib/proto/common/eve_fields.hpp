// Small pieces the EVE writers of the mail protocols (smtp/pop3/imap/email objects) share: fields
// written only when they hold something, string arrays, capability lists and the auth object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "output/json_writer.hpp"
#include "proto/common/keyword_table.hpp"
#include "proto/events.hpp"

namespace postern::proto {

inline void write_if(output::JsonWriter &w, std::string_view key, std::string_view v) {
    if (!v.empty()) w.field(key, v);
}

inline void write_count(output::JsonWriter &w, std::string_view key, uint32_t v) {
    if (v > 0) w.field(key, v);
}

// A BoundedList of strings as an array; nothing when it is empty (Suricata's schema: minItems 1).
template <typename List>
void write_strings(output::JsonWriter &w, std::string_view key, const List &list) {
    if (list.kept == 0) return;
    w.key(key);
    w.begin_array();
    for (const std::string_view &s : list) w.string(s);
    w.end_array();
}

// "capabilities": the names of the bits set, in table order, then "OTHER" (keyword_table.hpp).
template <size_t N>
void write_capabilities(output::JsonWriter &w, uint32_t bits, const std::string_view (&names)[N]) {
    w.key("capabilities");
    w.begin_array();
    for (size_t i = 0; i < N; ++i)
        if (bits & (uint32_t{1} << i)) w.string(names[i]);
    if (bits & kOtherCapability) w.string("OTHER");
    w.end_array();
}

// "auth": what an authentication attempt showed; never a secret, only whether one went by.
inline void write_auth(output::JsonWriter &w, std::string_view mechanism, std::string_view user, AuthResult result,
                       bool secret_seen) {
    w.key("auth");
    w.begin_object();
    w.field("mechanism", mechanism);
    write_if(w, "user", user);
    w.field("result", auth_result_name(result));
    w.field("secret_seen", secret_seen);
    w.end_object();
}

}  // namespace postern::proto
