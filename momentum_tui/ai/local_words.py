"""Word lists for the offline classifier: topics, formats, moods, bait, sponsors, languages.

Words are matched case-folded, whole-word, against the title, tags and the start of the
description. Lists cover English plus cheap wins in Spanish, Portuguese, French, German,
Russian, Korean, Japanese and Hindi, the languages of the demo corpus. Phrases (with a
space) and words in scripts without spaces (Japanese, Chinese) are matched as substrings.
"""

from __future__ import annotations

from momentum_tui.models import Format, Mood, Topic

TOPIC_WORDS: dict[Topic, str] = {
    Topic.MUSIC: """
        song songs music musical album single remix remixes lyrics lyric feat ft ft. mv
        audio acoustic cover concert rap rapper hiphop beat beats dj singer band karaoke
        jukebox bhajan bhajans ost soundtrack official_audio official_music_video
        música musica canción cancion canciones clipe videoclipe videoclip funk sertanejo
        pagode forró forro reggaeton cumbia banda corridos chanson musique clip_officiel
        lied musik песня песни клип музыка альбом трек рэп рэпер 노래 뮤직비디오 음악 가사
        歌 音楽 歌ってみた 主題歌 गाना गाने song_lyrics lofi
    """,
    Topic.GAMING: """
        game games gaming gameplay gamer minecraft fortnite roblox gta pubg valorant apex
        warzone cod overwatch league_of_legends dota csgo among_us amongus pokemon
        pokémon zelda mario nintendo playstation ps4 ps5 xbox steam esports speedrun
        let's_play walkthrough twitch clash brawl supercell genshin fall_guys
        игра игры игру летсплей майнкрафт прохождение стрим 게임 실황 ゲーム 実況
        モンスト ポケモン jogo jogos juego juegos jeu jeux spiel spiele videojuego
    """,
    Topic.SPORTS: """
        football soccer nba nfl mlb nhl ufc mma boxing match goal goals highlights league
        champions ucl uefa fc tennis cricket ipl golf basketball baseball hockey olympics
        wrestling wwe transfer messi ronaldo barcelona barça bayern liverpool madrid psg
        fútbol futbol futebol gol goles golazo partido jogo_completo brasileirão
        fußball bundesliga tor tore футбол матч гол голы хоккей бокс 축구 야구 하이라이트
        sport sports deportes esporte esportes спорт サッカー 野球 ハイライト
    """,
    Topic.NEWS: """
        news breaking president election elections police protest protests covid
        coronavirus pandemic government minister ministers trump biden senate congress
        politics political parliament explosion beirut lukashenko
        noticias notícias jornal noticiero actualités nachrichten новости выборы протесты
        протест политика президент беларусь 뉴스 속보 ニュース 速報 समाचार खबर
    """,
    Topic.COMEDY: """
        funny comedy prank pranks sketch parody meme memes jokes joke standup stand-up
        broma bromas humor comédia pegadinha blague lustig witz comedy_central
        приколы прикол юмор пранк пародия скетч 개그 コント お笑い 爆笑 ドッキリ
    """,
    Topic.COOKING: """
        recipe recipes cooking cook food kitchen chef baking bake cake mukbang eating
        dinner lunch breakfast snack snacks dessert pizza burger
        receta recetas cocina comida receita receitas cozinha recette cuisine rezept
        kochen backen рецепт рецепты готовим готовлю еда кухня 먹방 요리 레시피 레시피
        レシピ 料理 グルメ खाना रेसिपी recipe_in_hindi
    """,
    Topic.FITNESS: """
        workout fitness gym exercise exercises yoga abs bodybuilding cardio pilates
        calisthenics weightloss weight_loss ejercicio ejercicios treino musculação
        entrenamiento тренировка фитнес упражнения 운동 홈트 筋トレ योग
    """,
    Topic.FINANCE: """
        money invest investing investment stock stocks crypto bitcoin trading finance
        financial economy budget rich millionaire dinheiro investir investimento dinero
        inversión inversiones argent bourse geld aktien деньги инвестиции биткоин
        экономика 주식 투자 投資 株 पैसा
    """,
    Topic.FILM_TV: """
        trailer movie movies film films episode episodes series season netflix teaser
        anime cartoon animation animated scene scenes tv_show
        serie película pelicula películas filme filmes série épisode folge staffel
        фильм фильмы сериал серия сезон трейлер мультфильм мультик аниме
        예고편 드라마 영화 映画 予告 ドラマ アニメ 公式配信 मूवी फिल्म
    """,
    Topic.EDUCATION: """
        learn learning lesson lessons course class exam exams study studies school
        university education educational lecture aprender aula clase curso cours école
        lernen schule урок уроки обучение школа экзамен егэ огэ 공부 강의 勉強 授業
        upsc ias ssc शिक्षा पढ़ाई
    """,
    Topic.SCIENCE: """
        science scientific physics chemistry biology space nasa spacex experiment
        experiments astronomy planet universe rocket ciencia ciência experimento
        wissenschaft наука эксперимент эксперименты космос физика химия 과학 실험 科学 実験
    """,
    Topic.TECH: """
        iphone apple samsung android phone phones smartphone laptop pc computer tech
        technology gadget gadgets pixel galaxy xiaomi huawei oneplus macbook ipad
        headphones airpods camera gpu cpu nvidia amd intel windows
        технологии смартфон айфон компьютер ноутбук 아이폰 갤럭시 スマホ パソコン
    """,
    Topic.PROGRAMMING: """
        python javascript typescript code coding programming programmer developer
        linux software api github rust java golang react django kotlin swift
        программирование 프로그래밍 プログラミング
    """,
    Topic.TRAVEL: """
        travel traveling travelling trip tour vacation holiday hotel flight beach island
        roadtrip road_trip camping backpacking viaje viajes viagem voyage reise urlaub
        путешествие путешествия отпуск 여행 旅行 旅 यात्रा
    """,
    Topic.DIY: """
        diy build building homemade handmade craft crafts repair restoration woodworking
        lifehack lifehacks life_hacks hack hacks tools welding garden gardening
        manualidades faça_você_mesmo bricolage basteln heimwerken
        лайфхак лайфхаки самоделка своими_руками ремонт 만들기 diy 手作り
    """,
    Topic.HISTORY: """
        history historical ancient empire ww1 ww2 wwii medieval war battle
        histoire historia história geschichte история исторический 역사 歴史 इतिहास
    """,
    Topic.ART_DESIGN: """
        art drawing painting design paint artist illustration sculpture calligraphy
        architecture arte dibujo desenho pintura dessin peinture zeichnen kunst
        рисунок рисую рисование искусство 그림 미술 イラスト 絵 描いて
    """,
    Topic.KIDS: """
        kids children nursery rhymes toys toy baby babies kindergarten
        juguetes brinquedos jouets spielzeug игрушки детей детские малыш 키즈 장난감
        동요 童謡 おもちゃ बच्चों
    """,
    Topic.ASMR: """
        asmr tingles whisper whispering 팅글 咀嚼音 асмр
    """,
    Topic.MOTORS: """
        car cars auto autos bmw mercedes audi tesla porsche ferrari lamborghini drift
        truck trucks motorcycle motorbike engine f1 formula nascar rally supercar
        carro carros coche coches voiture voitures auto autos lkw машина машины авто
        тачка 자동차 차량 車 愛車 ドリフト गाड़ी
    """,
    Topic.BEAUTY_FASHION: """
        makeup beauty fashion hair hairstyle skincare outfit outfits lookbook haul
        nails maquillaje maquiagem maquillage schminken mode макияж мода уход
        메이크업 뷰티 패션 メイク コスメ
    """,
    Topic.ANIMALS: """
        dog dogs cat cats puppy puppies kitten kittens animal animals pet pets wildlife
        zoo bird birds fish horse perro perros gato gatos cachorro chien chat hund katze
        собака собаки кот коты кошка животные 강아지 고양이 동물 犬 猫 動物
    """,
    Topic.POP_CULTURE: """
        celebrity celebrities reaction react reacts kpop k-pop bts blackpink gossip
        tiktok influencer influencers challenge youtuber youtubers famous famosos chisme
        fofoca célébrité promi звезды блогер блогеры шоу 아이돌 芸能 ドッキリ
    """,
    Topic.LIFESTYLE: """
        vlog vlogs day_in_my_life routine family home house morning life wedding
        pregnancy pregnant baby_registry room_tour vida rotina família famille alltag
        влог семья жизнь 브이로그 일상 日常 ルーティン
    """,
}
"""Words that suggest each topic; `_` stands for a space inside a phrase."""

CATEGORY_TOPIC: dict[int, tuple[Topic, float]] = {
    1: (Topic.FILM_TV, 2.5),
    2: (Topic.MOTORS, 3.0),
    10: (Topic.MUSIC, 3.5),
    15: (Topic.ANIMALS, 3.0),
    17: (Topic.SPORTS, 3.0),
    18: (Topic.FILM_TV, 2.5),
    19: (Topic.TRAVEL, 3.0),
    20: (Topic.GAMING, 3.5),
    21: (Topic.LIFESTYLE, 2.0),
    22: (Topic.LIFESTYLE, 1.2),
    23: (Topic.COMEDY, 2.5),
    24: (Topic.POP_CULTURE, 1.2),
    25: (Topic.NEWS, 2.5),
    26: (Topic.DIY, 1.2),
    27: (Topic.EDUCATION, 2.0),
    28: (Topic.TECH, 2.0),
    29: (Topic.NEWS, 1.2),
    30: (Topic.FILM_TV, 3.0),
    43: (Topic.FILM_TV, 3.0),
    44: (Topic.FILM_TV, 3.0),
}
"""YouTube category id → the topic it suggests, and how strongly (a keyword scores 1–3)."""

FORMAT_WORDS: dict[Format, str] = {
    Format.TUTORIAL: """
        tutorial tutorials how_to howto how-to step_by_step guide tuto tutoriel anleitung
        cómo_hacer como_hacer como_fazer passo_a_passo урок туториал как_сделать
        만드는_법 방법 やり方 作り方 कैसे
    """,
    Format.EXPLAINER: """
        explained explainer explain why what_is what_happened analysis breakdown
        por_qué por_que porque explicado expliqué erklärt разбор почему объясняю
        что_такое 이유 解説 なぜ
    """,
    Format.NEWS: """
        news breaking update report noticias notícias actualités nachrichten новости
        репортаж 뉴스 속보 ニュース 速報 समाचार
    """,
    Format.REVIEW: """
        review reviews unboxing hands-on test tested comparison first_look
        reseña análise análisis critique обзор распаковка тест 리뷰 언박싱 レビュー 開封
    """,
    Format.VLOG: """
        vlog vlogs day_in_my_life my_day routine влог 브이로그 일상 vlog日記
    """,
    Format.INTERVIEW: """
        podcast interview interviews entrevista entretien talk_show talkshow
        интервью подкаст 인터뷰 インタビュー 対談
    """,
    Format.MUSIC_VIDEO: """
        official_video official_music_video music_video mv m/v lyric_video lyrics
        official_audio audio videoclipe videoclip video_oficial clipe_oficial
        clip_officiel clip_oficial клип премьера_клипа 뮤직비디오 公式mv ミュージックビデオ
        video_song full_video_song
    """,
    Format.GAMEPLAY: """
        gameplay let's_play lets_play walkthrough playthrough speedrun летсплей
        прохождение 실황 実況 プレイ
    """,
    Format.COMEDY: """
        sketch parody prank skit comedy sketch_comedy скетч пародия пранк 콩트 コント
    """,
    Format.DOCUMENTARY: """
        documentary documental documentário documentaire doku dokumentation
        документальный фильм_о 다큐 ドキュメンタリー
    """,
    Format.LIVE_STREAM: """
        live livestream live_stream en_vivo ao_vivo en_direct прямой_эфир стрим
        라이브 生配信 ライブ配信
    """,
    Format.SHORT_CLIP: """
        trailer teaser promo shorts #shorts highlights h/l preview
        трейлер тизер 예고편 하이라이트 予告 ハイライト
    """,
}
"""Words that suggest each format."""

TOPIC_FORMAT: dict[Topic, Format] = {
    Topic.MUSIC: Format.MUSIC_VIDEO,
    Topic.GAMING: Format.GAMEPLAY,
    Topic.COMEDY: Format.COMEDY,
    Topic.NEWS: Format.NEWS,
    Topic.LIFESTYLE: Format.VLOG,
    Topic.EDUCATION: Format.EXPLAINER,
    Topic.SCIENCE: Format.EXPLAINER,
    Topic.HISTORY: Format.EXPLAINER,
    Topic.COOKING: Format.TUTORIAL,
    Topic.DIY: Format.TUTORIAL,
    Topic.PROGRAMMING: Format.TUTORIAL,
    Topic.FITNESS: Format.TUTORIAL,
    Topic.TRAVEL: Format.VLOG,
}
"""The format a topic suggests when no format word is found."""

MOOD_WORDS: dict[Mood, str] = {
    Mood.CALM: """
        relax relaxing calm sleep sleeping lofi chill meditation peaceful ambient rain
        relajante relaxante расслабляющая 힐링 癒し
    """,
    Mood.FUNNY: """
        funny lol lmao hilarious prank pranks meme memes jokes gracioso engraçado drôle
        lustig смешно смешные приколы ржака 웃긴 面白い 爆笑
    """,
    Mood.TENSE: """
        horror scary terror creepy thriller haunted paranormal miedo medo peur
        ужас ужасы страшно хоррор 공포 ホラー 怖い
    """,
    Mood.EMOTIONAL: """
        sad emotional tears crying cry tribute touching triste emocionante émouvant
        traurig грустно трогательная трогательно 감동 눈물 感動 泣ける
    """,
    Mood.INSPIRING: """
        motivation motivational inspiring inspiration success dream dreams motivación
        motivação мотивация успех 동기부여 モチベーション प्रेरणा
    """,
    Mood.COZY: """
        cozy cosy comfy homey hygge asmr cottagecore уютно 아늑한
    """,
    Mood.ENERGETIC: """
        workout hype epic intense extreme insane battle challenge energía энергия
        챌린지 チャレンジ
    """,
    Mood.SERIOUS: """
        war death died killed crisis tragedy explosion protest protests investigation
        guerra muerte morte crise guerre krieg война смерть кризис трагедия 사망 戦争
    """,
}
"""Words that suggest each mood."""

TOPIC_MOOD: dict[Topic, Mood] = {
    Topic.COMEDY: Mood.FUNNY,
    Topic.NEWS: Mood.SERIOUS,
    Topic.ASMR: Mood.CALM,
    Topic.MUSIC: Mood.UPBEAT,
    Topic.FITNESS: Mood.ENERGETIC,
    Topic.SPORTS: Mood.ENERGETIC,
    Topic.GAMING: Mood.ENERGETIC,
    Topic.COOKING: Mood.COZY,
    Topic.ANIMALS: Mood.COZY,
    Topic.TRAVEL: Mood.INSPIRING,
    Topic.KIDS: Mood.UPBEAT,
    Topic.LIFESTYLE: Mood.UPBEAT,
    Topic.POP_CULTURE: Mood.UPBEAT,
    Topic.FILM_TV: Mood.TENSE,
}
"""The mood a topic suggests when no mood word is found (others: informative)."""

BAIT_PHRASES = """
    you_won't_believe you_wont_believe won't_believe shocking shocked gone_wrong
    gone_sexual not_clickbait must_watch insane crazy unbelievable omg wtf exposed
    secret secrets revealed the_truth truth_about what_happens_next you_need_to_see
    emotional last_video i_quit leaving quitting goodbye 24_hours worst best_ever
    gone_too_far *not_clickbait* destroyed banned deleted
    increíble no_creerás impactante loco locura incrível chocante inacreditável
    choquant incroyable fou unglaublich krass schock шок шокирующее не_поверишь
    невероятно жесть разоблачение правда_о 충격 실화 대박 레전드 衝撃 ヤバい 閲覧注意
"""
"""Words and phrases that signal bait in a title."""

SPONSOR_PHRASES = """
    sponsored_by sponsored this_video_is_sponsored thanks_to sponsor sponsoring
    use_code promo_code discount_code paid_promotion #ad #sponsored affiliate_link
    patrocinado patrocinio patrocínio gesponsert werbung sponsorisé partenariat
    спонсор спонсором промокод реклама 협찬 광고 提供 pr案件
"""
"""Phrases in a description that say a video has a sponsor."""

PLUG_WORDS = """
    http: https: www. .com subscri suscr inscrev abonn подпис 구독 チャンネル登録 instagram
    twitter facebook tiktok patreon merch follow siga sígueme folge business e-mail email
    contact @ snapchat social discord telegram whatsapp spotify itunes apple_music
    download booking inquiries shop store support donate vk.com
"""
"""Description lines holding these are links or plugs, not a description of the video."""

LANGUAGE_WORDS: dict[str, str] = {
    "en": "the and you for with this that what how are is of to my your from",
    "es": "el la los las que de y en por con para una como más mi es del",
    "pt": "o a os as que de e em por com para uma como mais meu não do da você",
    "fr": "le la les des que de et en pour avec une comme plus mon est du je",
    "de": "der die das und ist nicht mit für ein eine ich wir auf den dem zu",
    "it": "il lo la gli che di e per con una come più mio è del della",
}
"""Common words that identify languages written in the Latin alphabet."""


def words(text: str) -> list[str]:
    """Split a word list; `_` inside an entry stands for a space."""
    return [word.replace("_", " ") for word in text.split()]
