// The name of what a condition looks at: one of the parsers' fields (proto::Field), one header by
// name (email.header.<name>), the names of all headers (email.header_names), or every header as
// one "Name: value" line (email.header_line), which ties a value to a name pattern.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/events.hpp"

namespace postern::rules {

struct FieldRef {
    enum class Kind : uint8_t { Field, Header, HeaderNames, HeaderLine };
    Kind kind = Kind::Field;
    proto::Field field = proto::Field::Count;  // Kind::Field
    std::string header;  // Kind::Header: the header name, lower case

    std::string name() const;  // as written in rules: "smtp.helo", "email.header.x-mailer"
    bool operator==(const FieldRef &o) const {
        return kind == o.kind && field == o.field && header == o.header;
    }
};

// Longest header name a rule may use (email.header.<name>); longer names on the wire never match.
inline constexpr size_t kMaxHeaderName = 64;

// Parses a rule's field name; nullopt when it names no known field.
std::optional<FieldRef> parse_field_ref(std::string_view name);

// Whether a value of this field belongs to the session (HELO, the authenticated user, the TLS
// server name) rather than to one transaction; session values stay true for later transactions.
bool session_scoped(const FieldRef &f);

// proto::Protocol bits of the sessions in which the field can appear.
uint8_t field_protocols(const FieldRef &f);

// Every field name a rule can use, for error messages and documentation.
std::string_view known_field_names();

}  // namespace postern::rules
