// The keywords of a protocol looked up in plain tables: command verbs (name <-> enum value) and
// capability names (name -> bit). Names compare ASCII case-insensitively, as the mail RFCs want.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proto/common/ascii.hpp"

namespace postern::proto {

template <class Value>
struct Keyword {
    Value value;
    std::string_view name;
};

template <class Value, size_t N>
constexpr Value find_keyword(const Keyword<Value> (&table)[N], std::string_view name, Value absent) {
    for (const Keyword<Value> &k : table)
        if (ascii::iequals(name, k.name)) return k.value;
    return absent;
}

template <class Value, size_t N>
constexpr std::string_view keyword_name(const Keyword<Value> (&table)[N], Value value, std::string_view absent) {
    for (const Keyword<Value> &k : table)
        if (k.value == value) return k.name;
    return absent;
}

// A set of capabilities is a bit mask: bit i stands for names[i] of the protocol's table, and
// this bit for any name the table does not list.
inline constexpr uint32_t kOtherCapability = 1u << 31;

template <size_t N>
constexpr uint32_t capability_bit(const std::string_view (&names)[N], std::string_view name) {
    static_assert(N < 31, "bit 31 is kOtherCapability");
    for (size_t i = 0; i < N; ++i)
        if (ascii::iequals(name, names[i])) return uint32_t{1} << i;
    return kOtherCapability;
}

}  // namespace postern::proto
