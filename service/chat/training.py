"""What the chat's classifier learns from: phrases for each mood anchor (besides the anchors' own phrases), requests
that name no mood, and off-topic messages, in English, Spanish, French, German, Portuguese and Italian.

Written by hand for the classifier alone: none of them is a message of the labelled evaluation set
(tests/chat_understanding.json), which a test checks, so the measured accuracy is not a score on the training data.
To teach the chat a new wording, add it here (and a different wording of the same idea to the evaluation set).
"""

MOODS = {
    "upbeat": (
        "upbeat", "happy", "something upbeat and fun",
        "I'm in such a good mood today", "everything is going my way", "bright and happy tunes", "I feel fantastic",
        "positive energy songs", "a cheerful playlist", "I passed my driving test", "celebrating some good news",
        "feeling light and happy", "joyful music for a sunny afternoon", "I'm over the moon",
        "estoy de muy buen humor", "je suis de très bonne humeur", "ich bin gut gelaunt", "estou muito feliz hoje",
        "sono felicissimo oggi", "canciones alegres", "chansons joyeuses", "fröhliche Lieder",
        "doing chores around the house", "tidying up my room",
    ),
    "party": (
        "party", "party music",
        "we're throwing a party", "dance floor fillers", "music for a wild night out", "club night with my friends",
        "songs to get the party started", "drinks with friends before we go out", "a night of dancing",
        "wedding reception dance music", "karaoke night", "fiesta en casa esta noche", "on fait la fête ce soir",
        "wir feiern heute eine Party", "música para uma festa", "musica per ballare in discoteca",
        "quiero bailar", "je veux danser", "ich will tanzen",
    ),
    "workout": (
        "workout", "exercise",
        "music for my cardio session", "heavy squats today", "sprint intervals", "training for a marathon",
        "boxing practice", "cycling hard uphill", "gym session after work", "jogging in the park", "bench press day",
        "hiit circuit", "motivation to exercise", "beast mode", "entrenamiento en el gimnasio", "salir a correr",
        "séance de musculation", "je vais courir", "Training im Fitnessstudio", "ich gehe joggen",
        "treino na academia", "allenamento in palestra", "vado a correre",
        "an early run before breakfast", "training for a 10k race", "give me energy for my run", "warming up before the match",
    ),
    "calm": (
        "calm", "chill", "chill vibes", "relaxing",
        "a slow relaxing evening", "time to decompress", "gentle music with a cup of tea", "soft acoustic songs",
        "taking it easy this afternoon", "quiet music for the living room", "serene and soothing", "stress relief",
        "a lazy afternoon on the couch", "meditation and breathing", "música relajante", "algo suave y tranquilo",
        "musique douce et apaisante", "un moment de détente", "entspannende Musik", "etwas Ruhiges",
        "música calma para relaxar", "qualcosa di tranquillo", "musica calma",
    ),
    "focus": (
        "focus", "concentration",
        "instrumental music to work to", "studying for my exams", "reading research papers", "writing code all night",
        "I need to get some work done", "productive work session", "concentration music", "revision for a test",
        "no distractions while I work", "deep focus", "estudiar para el examen", "música para trabajar",
        "musique pour travailler", "je dois réviser", "Musik zum Arbeiten", "konzentriert arbeiten",
        "música para estudar", "musica per studiare", "devo concentrarmi",
        "getting through a pile of paperwork", "a long day of emails, help me concentrate", "grinding through my to-do list",
    ),
    "sad": (
        "sad", "melancholic",
        "I feel miserable", "I lost my job today", "grieving a friend", "my girlfriend left me", "feeling depressed",
        "melancholy songs", "a rainy lonely night", "I just want to cry", "missing someone who is gone",
        "everything hurts", "heartbreak songs", "estoy deprimido", "me siento solo", "j'ai le cœur brisé",
        "je me sens seul", "ich habe Liebeskummer", "mir geht es schlecht", "estou triste", "sono triste",
        "mi sento solo",
        "a terrible week at work", "nothing is going right for me",
    ),
    "angry": (
        "angry", "furious",
        "I'm so annoyed right now", "I hate everyone today", "furious at my landlord", "I want to break something",
        "rage music", "so much anger", "this day made me livid", "aggressive songs to scream along",
        "estoy furioso", "estoy enfadado", "je suis en colère", "ça m'énerve", "ich bin sauer", "ich habe eine Wut",
        "estou com raiva", "sono furioso",
    ),
    "romantic": (
        "romantic", "love",
        "a love song for my wife", "proposing to my girlfriend", "valentine's day", "a romantic night in",
        "slow dancing with my husband", "in love", "songs about love", "wedding first dance", "sweet love ballads",
        "una cena romántica", "canciones de amor", "une chanson d'amour", "un dîner aux chandelles",
        "Liebeslieder", "ein romantischer Abend", "música romântica", "noite romântica", "canzoni d'amore",
        "una serata romantica",
    ),
    "sleep": (
        "sleep", "sleepy",
        "I need to get some sleep", "bedtime music", "drift off to sleep", "insomnia again", "lullabies for my baby",
        "music to sleep", "put me to sleep", "going to bed", "very quiet music for the night", "sleepy time",
        "música para dormir", "no puedo dormir", "musique pour dormir", "je n'arrive pas à dormir",
        "Musik zum Schlafen", "ich kann nicht schlafen", "música para dormir bem", "non riesco a dormire",
        "musica per dormire",
    ),
    "nostalgic": (
        "nostalgic", "nostalgia",
        "songs from when I was a kid", "remember the old days", "old school classics", "memories of my youth",
        "reminds me of my grandparents", "the songs we grew up with", "a trip down memory lane", "retro vibes",
        "canciones de antes", "recuerdos de mi infancia", "des vieux souvenirs", "les années de mon enfance",
        "alte Zeiten", "Erinnerungen an früher", "saudades da infância", "ricordi d'infanzia",
        "music from my teenage years", "what we listened to back in the day",
    ),
    "roadtrip": (
        "driving", "a road trip song",
        "a long car journey", "driving to the beach", "highway driving", "music for the car ride", "on the road again",
        "a drive through the countryside", "car sing-along", "commuting by car", "viaje en coche",
        "música para el coche", "un long trajet en voiture", "musique pour la route", "lange Autofahrt",
        "Musik fürs Auto", "viagem de carro", "un viaggio in macchina",
        "driving across the state tonight", "hours on the motorway", "a drive to visit my family",
    ),
    "morning": (
        "morning", "wake-up songs",
        "early morning", "getting out of bed", "my morning routine", "first coffee of the day", "rise and shine",
        "a fresh start to the day", "breakfast time", "buenos días", "para empezar el día", "bonjour, c'est le matin",
        "pour bien commencer la journée", "guten Morgen", "zum Aufwachen", "bom dia", "buongiorno",
    ),
    "funny": (
        "funny", "comedy",
        "a comedy that makes me laugh", "something hilarious to watch", "a silly funny film", "I want to laugh",
        "lighthearted and funny", "cheer me up with a comedy", "una comedia", "algo gracioso", "une comédie",
        "quelque chose de drôle", "eine Komödie", "etwas Lustiges", "uma comédia", "qualcosa di divertente",
    ),
    "scary": (
        "scary", "horror",
        "a terrifying movie", "horror film night", "something creepy", "haunted houses", "give me nightmares",
        "a spooky halloween night", "a film that scares me", "una película de miedo", "algo que dé miedo",
        "un film d'horreur", "quelque chose qui fait peur", "ein Horrorfilm", "etwas Gruseliges",
        "um filme de terror", "un film horror",
    ),
    "thoughtful": (
        "thoughtful", "intellectual",
        "a deep film about life", "something that makes me think", "a philosophical movie", "a cerebral film",
        "ideas to ponder", "a film with a twist that makes you think", "una película profunda",
        "algo para reflexionar", "un film qui fait réfléchir", "ein nachdenklicher Film", "um filme para pensar",
        "un film che fa riflettere",
    ),
    "adventure": (
        "adventure", "action",
        "an action movie", "a thrilling adventure", "epic battles and heroes", "a blockbuster with lots of action",
        "treasure hunting adventure", "cowboys and gunfights", "fast and furious", "una película de acción", "una aventura épica",
        "un film d'action", "une grande aventure", "ein Abenteuerfilm", "viel Action", "um filme de ação",
        "un film d'azione",
    ),
}  # fmt: skip

# On topic, but no mood to go by: the answer gives popular picks and asks for a mood.
REQUESTS = (
    "recommend something", "play some music", "what's good to watch", "show me some songs", "pick a film for me",
    "recommend a few tracks", "I want to watch a movie", "I want to listen to music", "any recommendations",
    "what's popular", "suggest a film", "give me something to listen to", "what are the top songs",
    "find me a movie", "music please", "a movie please", "songs", "movies", "what do you recommend",
    "recomiéndame algo", "pon música", "quiero ver una película", "recommande-moi un film", "mets de la musique",
    "empfiehl mir einen Film", "spiel Musik", "recomenda uma música", "consigliami un film",
    "what film should I see", "anything worth watching", "what's worth listening to", "something to put on tonight",
)  # fmt: skip

# Everyday questions that are not a request for songs or movies, several with a mood word in them.
OFF_TOPIC = (
    # time and date
    "what's the date today", "what time is it in New York", "how many days until christmas", "is today a holiday",
    "what year is it", "how long until midnight",
    # weather
    "what's the forecast for tomorrow", "is it sunny outside", "do I need an umbrella today", "how cold is it tonight",
    "will there be a storm tonight", "how much snow fell last night", "is it windy in Chicago", "temperature outside",
    "will it be hot next week",
    # cooking
    "how do I make pancakes", "what can I cook with chicken and rice", "how long do I bake a potato",
    "a recipe for lasagna", "how to make an omelette", "what temperature to roast a chicken", "how to cook pasta",
    # maths and units
    "what is 12 plus 30", "calculate 15 percent of 80", "how many ounces in a pound", "what is pi",
    "divide 100 by 7", "how many centimeters in an inch", "what's 2 to the power of 10",
    # tech support and code
    "my phone battery drains fast", "how do I update windows", "the wifi is not working", "how to install python",
    "fix this javascript error", "how do I take a screenshot", "forgot my password",
    # news, sport, trivia, geography
    "latest news headlines", "what's the score of the match", "who won the world cup", "when was the eiffel tower built",
    "who wrote hamlet", "how tall is mount everest", "what is the population of china", "who invented the telephone",
    "where is Portugal", "how many planets are there",
    # health, money, travel, errands
    "how do I treat a headache", "is coffee bad for you", "how much protein should I eat", "how do I open a bank account",
    "what's the price of bitcoin", "cheap hotels in Rome", "train times to Manchester", "how do I get to the airport",
    "order a pizza", "call a taxi", "send an email to my boss", "add milk to my shopping list", "wake me up at 6",
    "what's on my calendar tomorrow", "turn off the lights",
    # questions that carry a mood or activity word but ask for something else
    "how many calories does running burn", "what should I eat before the gym", "how do I stop snoring at night",
    "how do I plan a birthday party", "where can I buy a dress for the party", "what gift should I buy my girlfriend",
    "how do I get over jet lag in the morning", "is it safe to drive in the snow", "how long is the drive to Boston",
    "what's a good stretching routine", "how do I calm down a crying baby", "tips to study better",
    "funny facts about cats", "tell me a riddle", "tell me a story", "tell me a fun fact", "write me a poem about love",
    "explain quantum physics",
    "who are you", "what can you do", "are you a robot", "how old are you",
    # other languages
    "qué tiempo hace hoy", "a qué hora abre el banco", "cómo se hace una tortilla", "cuánto es dos más dos",
    "quelle heure est-il à Paris", "il va pleuvoir demain", "comment faire une crêpe", "combien font trois fois quatre",
    "wie ist das Wetter heute", "wann fährt der nächste Zug", "wie koche ich Nudeln", "was ist die Hauptstadt von Spanien",
    "que horas são", "vai chover amanhã", "como fazer um bolo", "che ore sono", "che tempo fa domani",
    "come si cucina il risotto",
    "¿lloverá mañana?", "¿hace frío en Madrid?", "¿va a hacer calor el domingo?", "est-ce qu'il va neiger à Noël",
    "how do you say good night in Spanish", "translate I love you into French", "what does hola mean",
    "how many reps should I do", "what muscles does running work", "how do I warm up before exercise",
    "is it ok to work out every day",
)  # fmt: skip

# Neither a request nor a question: gibberish, a greeting, a test. The answer gives popular picks and asks for a mood.
UNCLEAR = (
    "asdfgh", "qwertyuiop", "zzzzzz", "hjkl hjkl", "blah blah blah", "foo bar baz", "aaaa bbbb cccc", "xyz 123",
    "test", "testing 1 2 3", "hmm", "ok", "lol", "...", "hello", "hi there", "hey", "thank you",
    "cool", "yes", "no", "hola", "hallo", "ciao", "olá", "gracias", "merci", "danke",
)  # fmt: skip
