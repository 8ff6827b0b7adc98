"""Wave progress (测评进度) in reporting: collected against target, and the descriptive
satisfaction figures by county and by channel, from survey's published facts."""
