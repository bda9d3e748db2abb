// NAME/slots.json: the slot assignments `forest generate` remembers.
#include "render/writer.h"

#include <gtest/gtest.h>

namespace forest::render {
namespace {

TEST(SlotMemory, TextRoundTrip) {
  plan::SlotMemory slots = {{"c0-1.c0.incus", 1}, {"c0-2.c0.incus", 15}};
  auto back = ParseSlotMemory(SlotMemoryJson(slots), "slots.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, slots);
  EXPECT_EQ(SlotMemoryJson({}), "{}\n");
}

TEST(SlotMemory, ErrorsNameTheFileAndTheEntry) {
  auto bad = ParseSlotMemory(R"({"c0-1.c0.incus":"1"})", "out/slots.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "out/slots.json: c0-1.c0.incus: slot is not an integer");
  EXPECT_FALSE(ParseSlotMemory("[1]", "slots.json").ok());
  EXPECT_FALSE(ParseSlotMemory("{", "slots.json").ok());
  EXPECT_FALSE(ParseSlotMemory(R"({"a":1.5})", "slots.json").ok());
}

TEST(SlotMemory, AnIntegerPastIntIsRefusedNotTruncated) {
  // 4294967297 used to read as slot 1.
  EXPECT_FALSE(ParseSlotMemory(R"({"c0-1.c0.incus":4294967297})", "slots.json").ok());
  EXPECT_FALSE(ParseSlotMemory(R"({"c0-1.c0.incus":-4294967297})", "slots.json").ok());
  auto edge = ParseSlotMemory(R"({"a":2147483647,"b":-2147483648})", "slots.json");
  ASSERT_TRUE(edge.ok()) << edge.error().message;
  EXPECT_EQ(edge->at("a"), 2147483647);
}

}  // namespace
}  // namespace forest::render
