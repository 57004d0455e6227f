-- Distribution of track popularity in bins of 5.
SELECT bin_start, bin_end, track_count
FROM gold.popularity_histogram
ORDER BY bin_start
