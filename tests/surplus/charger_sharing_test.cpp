// Several chargers on one router current (TWC Gen2 slaves sharing a line): whole minimum
// currents, never a split below what a car needs, in turns.
#include "surplus/charger_sharing.hpp"

#include <gtest/gtest.h>

namespace wattshare::surplus {
namespace {

TEST(ChargerSharing, EightAmpsForTwoCarsGoToOneCarNotFourAndFour) {
  EXPECT_EQ(share_charger_current(8, {{true, 32}, {true, 32}}, 6, 0), (std::vector<double>{8, 0}));
  EXPECT_EQ(share_charger_current(8, {{true, 32}, {true, 32}}, 6, 1), (std::vector<double>{0, 8}));  // its turn
}

TEST(ChargerSharing, WholeMinimumsToAsManyCarsAsTheCurrentCarriesThenTheRestInTurn) {
  EXPECT_EQ(share_charger_current(13, {{true, 32}, {true, 32}}, 6, 0), (std::vector<double>{7, 6}));
  EXPECT_EQ(share_charger_current(20, {{true, 32}, {true, 32}, {true, 32}}, 6, 2), (std::vector<double>{7, 6, 7}));
  // A charger's rating caps it; what it cannot take goes to the others.
  EXPECT_EQ(share_charger_current(30, {{true, 10}, {true, 32}}, 6, 0), (std::vector<double>{10, 20}));
}

TEST(ChargerSharing, OnlyKnownCarsWhileThereIsOneElseEveryChargerToFindOut) {
  EXPECT_EQ(share_charger_current(16, {{false, 32}, {true, 32}}, 6, 0), (std::vector<double>{0, 16}));
  EXPECT_EQ(share_charger_current(12, {{false, 32}, {false, 32}}, 6, 0), (std::vector<double>{6, 6}));
}

TEST(ChargerSharing, BelowTheMinimumOrBadInputNothing) {
  EXPECT_EQ(share_charger_current(5.9, {{true, 32}}, 6, 0), (std::vector<double>{0}));
  EXPECT_EQ(share_charger_current(-3, {{true, 32}}, 6, 0), (std::vector<double>{0}));
  EXPECT_EQ(share_charger_current(16, {{true, 4}}, 6, 0), (std::vector<double>{0}));  // a charger below a car's minimum
  EXPECT_TRUE(share_charger_current(16, {}, 6, 0).empty());
}

}  // namespace
}  // namespace wattshare::surplus
