-- Artists whose name contains the text, most songs first.
SELECT artist, song_count
FROM gold.artist_profiles
WHERE contains(lower(artist), lower(:q))
ORDER BY song_count DESC, artist
LIMIT :limit
