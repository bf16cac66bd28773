"""Credit: bitcoin-backed credit facilities, from proposal to completion.

A facility is proposed, accepted by the customer and approved by governance; it then waits
for its collateral and activates when its CVL reaches the initial threshold at the current
price. Disbursals (approved) create principal obligations; interest accrues daily inside monthly
cycles and each cycle's interest becomes an obligation. Payments settle obligations, interest
first and oldest first. The CVL is watched at every price and collateral change: a margin call
below its threshold, a liquidation below the liquidation threshold.
"""
