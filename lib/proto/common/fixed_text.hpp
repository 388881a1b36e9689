// A short string with inline storage: session facts that outlive transactions (HELO name, AUTH
// user), text kept per pending command (tags, IMAP arguments, mailbox names). No heap: what does
// not fit is cut, and that it was cut is remembered.
#pragma once

#include <cstddef>
#include <string_view>

namespace postern::proto {

template <size_t N>
class FixedText {
public:
    void append(std::string_view s) {
        for (char c : s) append(c);
    }
    void append(char c) {
        if (len_ < N) {
            buf_[len_++] = c;
        } else {
            truncated_ = true;
        }
    }
    void assign(std::string_view s) { clear(), append(s); }
    void clear() { len_ = 0, truncated_ = false; }
    std::string_view view() const { return {buf_, len_}; }
    bool empty() const { return len_ == 0; }
    size_t size() const { return len_; }
    bool truncated() const { return truncated_; }

private:
    char buf_[N];
    size_t len_ = 0;
    bool truncated_ = false;
};

}  // namespace postern::proto
